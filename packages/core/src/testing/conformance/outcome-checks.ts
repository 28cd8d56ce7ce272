import assert from 'node:assert/strict';
import type { TwoFactorProvider } from '../../provider/contract.js';
import { testUser } from '../harness.js';
import { LENIENT_THROTTLE, type Rig } from './rig.js';
import type { Check } from './types.js';

type WatchedHook = 'completeActivation' | 'verify';

/**
 * What is wrong with a hook's outcome, or nothing. Core grants only on a plain object whose own
 * data property `ok` is `true`: a class instance (a fetch `Response` has an `ok` getter on its
 * prototype), an inherited `ok` or a getter can say yes where no one meant it.
 */
export function outcomeProblems(outcome: unknown): string[] {
  if (typeof outcome !== 'object' || outcome === null || Array.isArray(outcome)) {
    return [
      `it is ${Array.isArray(outcome) ? 'an array' : outcome === null ? 'null' : typeof outcome}, not an object`,
    ];
  }
  const problems: string[] = [];
  const proto: unknown = Object.getPrototypeOf(outcome);
  if (proto !== Object.prototype && proto !== null) {
    const ctor = (proto as { constructor?: { name?: unknown } }).constructor;
    const name = typeof ctor?.name === 'string' && ctor.name !== 'Object' ? ctor.name : undefined;
    problems.push(
      name
        ? `it is an instance of ${name}, not a plain object`
        : 'its prototype is neither Object.prototype nor null',
    );
  }
  const own = Object.getOwnPropertyDescriptor(outcome, 'ok');
  if (own === undefined) {
    problems.push('ok' in outcome ? 'its ok is inherited, not its own property' : 'it has no ok');
  } else if (!('value' in own)) {
    problems.push('its ok is a getter, not a data property');
  } else if (typeof own.value !== 'boolean') {
    problems.push(`its ok is ${JSON.stringify(own.value) ?? typeof own.value}, not a boolean`);
  }
  return problems;
}

// Hooks are called on the real instance (private fields need it), never on the proxy.
const HOOKS = new Set<PropertyKey>([
  'beginActivation',
  'completeActivation',
  'beginChallenge',
  'verify',
  'healthCheck',
  'deactivate',
  'failOpenAllowed',
]);

/** Stands in for the provider and notes every outcome its answer hooks return. */
function watch(
  seen: { hook: WatchedHook; outcome: unknown }[],
): (p: TwoFactorProvider) => TwoFactorProvider {
  return (p) =>
    new Proxy(p, {
      get(target, key) {
        const value: unknown = Reflect.get(target, key);
        if (!HOOKS.has(key) || typeof value !== 'function') return value;
        const hook = value as (...a: unknown[]) => unknown;
        if (key !== 'completeActivation' && key !== 'verify') return hook.bind(target);
        return async (...args: unknown[]) => {
          const outcome: unknown = await hook.apply(target, args);
          seen.push({ hook: key, outcome });
          return outcome;
        };
      },
    });
}

/** FL-03 and invariant 1: an answer hook's outcome is a plain object with own `ok`. */
export function outcomeChecks(rig: Rig): Check[] {
  return [
    {
      name: 'outcomes (FL-03, invariant 1): completeActivation and verify answer with plain objects whose ok is an own data property',
      async run() {
        const seen: { hook: WatchedHook; outcome: unknown }[] = [];
        const { h } = rig.make({ policy: LENIENT_THROTTLE }, watch(seen));
        const settle = (p: Promise<unknown>) =>
          p.then(
            () => undefined,
            () => undefined,
          );
        let flowError: Error | undefined;
        try {
          const user = testUser();
          const started = await h.service.beginActivation(user, rig.providerId);
          const wrong = await rig.options.wrongAnswer({
            prompt: started.prompt,
            clock: h.clock,
            user,
            activationPrompt: started.prompt,
          });
          await settle(h.service.completeActivation(started.activationId, user, wrong));
          const s = await rig.signIn(h, user);
          await settle(s.complete(await s.wrong()));
          const malformed = await s.again();
          await settle(malformed.complete(null));
          const right = await s.again();
          await settle(right.complete(await right.right()));
        } catch (err) {
          flowError = err instanceof Error ? err : new Error(`the flow threw a ${typeof err}`);
        }
        // The shape of what the provider returned explains a broken flow better than the flow.
        for (const { hook, outcome } of seen) {
          const problems = outcomeProblems(outcome);
          assert.equal(
            problems.length,
            0,
            `${rig.providerId}.${hook} returned an outcome core must not trust: ${problems.join('; ')}. ` +
              'Return a plain object literal, { ok: true, ... } or { ok: false, reason }, and copy ' +
              'what you need out of any response object (FL-03).',
          );
        }
        if (flowError !== undefined) throw flowError;
        for (const hook of ['completeActivation', 'verify'] as const) {
          assert.ok(
            seen.some((s) => s.hook === hook),
            `the kit saw no ${hook} outcome to check: the flow never reached the provider's ${hook}`,
          );
        }
      },
    },
  ];
}
