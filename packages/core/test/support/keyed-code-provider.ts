/**
 * A test-only provider where every enrollment has its own key (like two authenticator apps):
 * the code for a 30 s step is an HMAC of the step under the enrollment's key, so one
 * enrollment's code is wrong for another. Declares `multipleEnrollments`. The keys it hands out
 * are kept in `issuedKeys`, as the apps that scanned them would hold them.
 */
import { createHmac, randomBytes } from 'node:crypto';
import {
  Clock,
  CORE_VERSION,
  Provider,
  type Begun,
  type ChallengePrompt,
  type CodeEntryPrompt,
  type JsonValue,
  type ProviderCapabilities,
  type TwoFactorProvider,
  type VerifyOutcome,
} from '../../src/index.js';

export const KEYED_STEP_MS = 30_000;

export function keyedCode(key: string, ms: number): string {
  const step = Math.floor(ms / KEYED_STEP_MS);
  const mac = createHmac('sha256', key).update(String(step)).digest();
  return String(mac.readUInt32BE(0) % 1_000_000).padStart(6, '0');
}

class NoSettings {}

@Provider()
export class KeyedCodeProvider implements TwoFactorProvider<NoSettings, JsonValue> {
  readonly id = 'keyed-code';
  readonly displayName = 'Keyed code';
  readonly coreVersion = `^${CORE_VERSION}`;
  readonly configSchema = NoSettings;
  readonly capabilities: ProviderCapabilities = {
    interactive: true,
    outOfBand: 'none',
    replayCounter: true,
    retryableChallenge: true,
    multipleEnrollments: true,
  };
  readonly issuedKeys: string[] = [];

  constructor(readonly clock: Clock) {}

  private check(key: string, input: unknown): VerifyOutcome {
    if (typeof input !== 'string' || !/^[0-9]{6}$/.test(input))
      return { ok: false, reason: 'INVALID_FORMAT' };
    const now = this.clock.now();
    for (const t of [now, now - KEYED_STEP_MS]) {
      if (keyedCode(key, t) === input)
        return { ok: true, counter: Math.floor(t / KEYED_STEP_MS), method: 'keyed-code' };
    }
    return { ok: false, reason: 'INVALID_CODE' };
  }

  async beginActivation(): Promise<Begun<CodeEntryPrompt>> {
    const key = randomBytes(20).toString('hex');
    this.issuedKeys.push(key);
    return { prompt: { kind: 'code-entry', digits: 6 }, pending: { key } };
  }

  async completeActivation(_ctx: unknown, _user: unknown, pending: JsonValue, input: unknown) {
    const key = (pending as { key: string }).key;
    const r = this.check(key, input);
    return r.ok ? { ok: true as const, enrollment: { key }, counter: r.counter! } : r;
  }

  async beginChallenge(): Promise<Begun<ChallengePrompt>> {
    return { prompt: { kind: 'code-entry', digits: 6 }, pending: null };
  }

  async verify(
    _ctx: unknown,
    _user: unknown,
    enrollment: JsonValue,
    _pending: JsonValue,
    input: unknown,
  ): Promise<VerifyOutcome> {
    return this.check((enrollment as { key: string }).key, input);
  }
}
