import assert from 'node:assert/strict';
import { configJsonSchema, secretFieldNames } from '../config/fields.js';
import { FactorkitError } from '../errors.js';
import {
  PROMPT_KINDS,
  type ActivationPrompt,
  type ChallengePrompt,
  type ProviderClass,
  type TwoFactorProvider,
  type TwoFactorUser,
} from '../provider/contract.js';
import { ProviderRegistry } from '../provider/registry.js';
import type { SecondFactorSuccess } from '../service/two-factor-service.js';
import type { FakeClock } from './fake-clock.js';
import { createHarness, testUser, type Harness, type HarnessOptions } from './harness.js';

/** The few test-runner functions the suites need; vitest, jest and node:test all fit. */
export interface TestApi {
  describe(name: string, fn: () => void): void;
  it(name: string, fn: () => Promise<void> | void): void;
}

export interface Check {
  readonly name: string;
  run(): Promise<void>;
}

export interface AnswerArgs<P> {
  readonly prompt: P;
  readonly clock: FakeClock;
  readonly user: TwoFactorUser;
  /** The prompt shown at activation (e.g. to read the secret an authenticator app would hold). */
  readonly activationPrompt: ActivationPrompt;
}

export interface ConformanceOptions {
  /**
   * The provider under test: a class (constructed with core services injected) or a factory
   * returning a fresh instance; each check builds its own harness.
   */
  provider: ProviderClass | (() => TwoFactorProvider);
  /** Plain settings for the deployment config. */
  settings?: Record<string, unknown>;
  /** The right answer to an activation prompt. */
  answerActivation(args: Omit<AnswerArgs<ActivationPrompt>, 'activationPrompt'>): unknown;
  /** The right answer to a challenge prompt. */
  answerChallenge(args: AnswerArgs<ChallengePrompt>): unknown;
  /** A well-formed answer that is wrong. */
  wrongAnswer(args: AnswerArgs<ActivationPrompt | ChallengePrompt>): unknown;
  /** How far to move the clock for the next code to be a new one (TOTP: one period). */
  stepMs?: number;
  /** Extra harness options (policy, constants, http). */
  harness?: Partial<HarnessOptions>;
}

/** The IN-01 table (docs/SECURITY.md): inputs that must never be accepted or crash. */
export const MALFORMED_INPUTS: readonly unknown[] = [
  undefined,
  null,
  '',
  ' ',
  123456,
  true,
  ['123456'],
  { $ne: '' },
  '１２３４５６',
  '١٢٣٤٥٦',
  '+123456',
  '1e5',
  '0x1E240',
  '12345\u0000',
  'x'.repeat(65536),
];

const ALLOWED_FAILURES = new Set(['INVALID_FORMAT', 'INVALID_CODE', 'PROVIDER_DENIED']);

async function rejects(
  promise: Promise<unknown>,
  codes: Iterable<string>,
  what: string,
): Promise<FactorkitError> {
  const allowed = new Set(codes);
  let result: unknown;
  try {
    result = await promise;
  } catch (err) {
    assert.ok(
      err instanceof FactorkitError,
      `${what}: expected a typed FactorkitError, got ${String(err)}`,
    );
    assert.ok(
      allowed.has(err.code),
      `${what}: expected one of ${[...allowed].join(', ')}, got ${err.code}`,
    );
    return err;
  }
  assert.fail(`${what}: expected a rejection, got ${JSON.stringify(result)?.slice(0, 200)}`);
}

function isSuccess(r: unknown): r is SecondFactorSuccess {
  return typeof r === 'object' && r !== null && (r as { ok?: unknown }).ok === true;
}

/**
 * The provider conformance checks. Each builds its own harness (memory stores, fake clock) so
 * checks never share state. Register them with `describeProviderConformance`.
 */
export function providerConformanceChecks(options: ConformanceOptions): Check[] {
  const step = options.stepMs ?? 0;
  const source = options.provider;
  const isClass = /^class[\s{]/.test(Function.prototype.toString.call(source));
  const instantiate = (): ProviderClass | TwoFactorProvider =>
    isClass ? (source as ProviderClass) : (source as () => TwoFactorProvider)();
  // Learn the provider id once (a class must be constructed to read it).
  const providerId = new ProviderRegistry().register(instantiate()).ids()[0]!;
  const make = (
    extra: Partial<HarnessOptions> = {},
  ): { h: Harness; provider: TwoFactorProvider } => {
    const h = createHarness({
      ...options.harness,
      ...extra,
      providers: [instantiate()],
      settings: { ...(options.harness?.settings ?? {}), [providerId]: options.settings ?? {} },
    });
    return { h, provider: h.registry.get(providerId) };
  };

  const enroll = async (h: Harness, user: TwoFactorUser) => {
    const started = await h.service.beginActivation(user, providerId);
    const answer = await options.answerActivation({ prompt: started.prompt, clock: h.clock, user });
    const done = await h.service.completeActivation(started.activationId, user, answer);
    assert.ok(done.ok === true, 'activation with the right answer must complete');
    return { started, done };
  };

  /** Enrolls `user`, moves the clock one step, and starts a challenge with answer helpers. */
  const signIn = async (h: Harness, user: TwoFactorUser) => {
    const { started: act } = await enroll(h, user);
    h.clock.advance(step);
    const open = async () => {
      const challenge = await h.service.beginChallenge(user);
      const args = () => ({
        prompt: challenge.prompt,
        clock: h.clock,
        user,
        activationPrompt: act.prompt,
      });
      return {
        user,
        challenge,
        right: async () => options.answerChallenge(args()),
        wrong: async () => options.wrongAnswer(args()),
        complete: (input: unknown) =>
          h.service.completeChallenge(challenge.challengeId, user, input),
      };
    };
    return { ...(await open()), again: open };
  };

  const checks: Check[] = [
    {
      name: 'registers: id, displayName, capabilities, hooks and core version range are valid',
      async run() {
        const { h, provider } = make();
        assert.match(provider.id, /^[a-z][a-z0-9-]{1,31}$/);
        assert.deepEqual(
          h.registry.list().map((d) => d.id),
          [provider.id],
        );
      },
    },
    {
      name: 'config schema: settings validate, and the JSON Schema labels every field and marks secrets write-only',
      async run() {
        const { provider } = make();
        const schema = configJsonSchema(provider.configSchema);
        assert.equal(schema['additionalProperties'], false);
        const props = schema['properties'] as Record<string, Record<string, unknown>>;
        for (const [name, prop] of Object.entries(props)) {
          assert.equal(typeof prop['title'], 'string', `field ${name} needs a label (@Field)`);
        }
        for (const name of secretFieldNames(provider.configSchema)) {
          assert.equal(props[name]?.['writeOnly'], true, `secret ${name} must be writeOnly`);
          assert.equal(
            props[name]?.['default'],
            undefined,
            `secret ${name} must not expose a default`,
          );
        }
      },
    },
    {
      name: 'activation: hooks return JSON-serialisable data and a known prompt kind (no HTML, no functions)',
      async run() {
        const { h, provider } = make();
        const user = testUser();
        const ctx = {
          providerId: provider.id,
          config: h.config.providers[provider.id]!.settings,
          audience: user.audience,
          constants: {},
        };
        const begun = await provider.beginActivation(ctx, user);
        assert.ok(
          PROMPT_KINDS.includes(begun.prompt.kind),
          `unknown prompt kind ${String(begun.prompt.kind)}`,
        );
        assert.deepEqual(
          JSON.parse(JSON.stringify(begun.prompt)),
          begun.prompt,
          'prompt must survive JSON',
        );
        assert.deepEqual(
          JSON.parse(JSON.stringify(begun.pending ?? null)),
          begun.pending ?? null,
          'pending must survive JSON',
        );
      },
    },
    {
      name: 'activation: the right answer enrolls the user and issues recovery codes once',
      async run() {
        const { h } = make();
        const user = testUser();
        const { done } = await enroll(h, user);
        assert.ok(
          done.ok === true && (done.recoveryCodes?.length ?? 0) >= 4,
          'first factor issues recovery codes',
        );
        const req = await h.service.requirement(user);
        assert.equal(req.action, 'challenge');
      },
    },
    {
      name: 'activation: a wrong answer is refused and enrolls nothing',
      async run() {
        const { h } = make();
        const user = testUser();
        const started = await h.service.beginActivation(user, providerId);
        const wrong = await options.wrongAnswer({
          prompt: started.prompt,
          clock: h.clock,
          user,
          activationPrompt: started.prompt,
        });
        await rejects(
          h.service.completeActivation(started.activationId, user, wrong),
          ALLOWED_FAILURES,
          'wrong activation answer',
        );
        assert.equal((await h.service.listEnrollments(user)).length, 0);
      },
    },
    {
      name: 'activation: malformed input (IN-01) gives a typed failure, never success or a crash',
      async run() {
        const { h } = make({
          policy: { throttle: { maxFailures: 100, freeFailures: 100, permanentLockAfter: 100 } },
        });
        const user = testUser();
        for (const bad of MALFORMED_INPUTS) {
          const started = await h.service.beginActivation(user, providerId);
          await rejects(
            h.service.completeActivation(started.activationId, user, bad),
            ALLOWED_FAILURES,
            `activation input ${JSON.stringify(bad)?.slice(0, 20)}`,
          );
        }
        assert.equal((await h.service.listEnrollments(user)).length, 0);
      },
    },
    {
      name: 'challenge: the right answer passes, once; the used challenge id is then unknown',
      async run() {
        const { h } = make();
        const s = await signIn(h, testUser());
        const answer = await s.right();
        assert.ok(isSuccess(await s.complete(answer)), 'right answer must succeed');
        await rejects(s.complete(answer), ['CHALLENGE_NOT_FOUND'], 'reused challenge id');
      },
    },
    {
      name: 'challenge: a wrong answer is refused with a typed error and counted',
      async run() {
        const { h } = make();
        const s = await signIn(h, testUser());
        await rejects(s.complete(await s.wrong()), ALLOWED_FAILURES, 'wrong challenge answer');
        assert.equal((await h.service.throttleStatus(s.user)).failures, 1);
      },
    },
    {
      name: 'challenge: malformed input (IN-01) gives a typed failure, never success or a crash',
      async run() {
        const { h } = make({
          policy: { throttle: { maxFailures: 100, freeFailures: 100, permanentLockAfter: 100 } },
        });
        const s = await signIn(h, testUser());
        for (const bad of MALFORMED_INPUTS) {
          const ch = await h.service.beginChallenge(s.user);
          await rejects(
            h.service.completeChallenge(ch.challengeId, s.user, bad),
            ALLOWED_FAILURES,
            `challenge input ${JSON.stringify(bad)?.slice(0, 20)}`,
          );
        }
      },
    },
    {
      name: "challenge: bound to its user; another user's attempt does not consume it (FL-05, DU-01)",
      async run() {
        const { h } = make();
        const mallory = testUser();
        await enroll(h, mallory);
        const s = await signIn(h, testUser());
        const answer = await s.right();
        await rejects(
          h.service.completeChallenge(s.challenge.challengeId, mallory, answer),
          ['CHALLENGE_NOT_FOUND'],
          'foreign challenge',
        );
        assert.ok(isSuccess(await s.complete(answer)), 'owner still completes');
      },
    },
    {
      name: 'challenge: expires after the pending lifetime (FL-08)',
      async run() {
        const { h } = make();
        const s = await signIn(h, testUser());
        h.clock.advance(h.config.policy.pending.ttlSeconds * 1000 + 1);
        await rejects(s.complete(await s.right()), ['CHALLENGE_EXPIRED'], 'expired challenge');
      },
    },
    {
      name: 'throttling: after the failure limit even the right answer is refused as LOCKED (BF-01)',
      async run() {
        const { h } = make({
          policy: { throttle: { maxFailures: 3, freeFailures: 3, permanentLockAfter: 100 } },
        });
        const s = await signIn(h, testUser());
        for (let i = 0; i < 3; i++) {
          const retry = await s.again();
          await rejects(
            retry.complete(await retry.wrong()),
            ALLOWED_FAILURES,
            `wrong answer ${i + 1}`,
          );
        }
        // the challenge opened before the lock, answered right, is refused too
        await rejects(s.complete(await s.right()), ['LOCKED'], 'right answer while locked');
        await rejects(h.service.beginChallenge(s.user), ['LOCKED'], 'challenge while locked');
      },
    },
  ];

  const probe = make().provider;
  if (probe.capabilities.replayCounter) {
    checks.push(
      {
        name: 'replay: the code that confirmed activation is refused at the first sign-in (RP-02)',
        async run() {
          const { h } = make();
          const user = testUser();
          const started = await h.service.beginActivation(user, providerId);
          const answer = await options.answerActivation({
            prompt: started.prompt,
            clock: h.clock,
            user,
          });
          await h.service.completeActivation(started.activationId, user, answer);
          const ch = await h.service.beginChallenge(user);
          await rejects(
            h.service.completeChallenge(ch.challengeId, user, answer),
            ['CODE_ALREADY_USED'],
            'activation code replayed',
          );
        },
      },
      {
        name: 'replay: an accepted answer is refused on a second challenge (RFC 6238 §5.2, RP-01)',
        async run() {
          const { h } = make();
          const s = await signIn(h, testUser());
          const answer = await s.right();
          assert.ok(isSuccess(await s.complete(answer)));
          const second = await s.again();
          await rejects(second.complete(answer), ['CODE_ALREADY_USED'], 'replayed answer');
          assert.equal(h.audit.ofType('replay.rejected').length, 1);
        },
      },
    );
  }
  if (probe.healthCheck) {
    checks.push({
      name: 'health check returns { healthy: boolean }',
      async run() {
        const { h } = make();
        const health = await h.service.health();
        assert.equal(typeof health[probe.id]?.healthy, 'boolean');
      },
    });
  }
  return checks;
}

/** Registers the provider conformance checks with a test runner. */
export function describeProviderConformance(
  name: string,
  options: ConformanceOptions,
  api: TestApi,
): void {
  api.describe(`provider conformance: ${name}`, () => {
    for (const check of providerConformanceChecks(options)) api.it(check.name, () => check.run());
  });
}
