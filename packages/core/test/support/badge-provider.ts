/**
 * A test-only provider that binds a "badge" the user names at activation, and hands core the
 * lookup key the answer carries (`{ badge, lookupKey }`): the badge stands for an authenticator
 * that must back one enrollment only, as a WebAuthn credential does (SECURITY.md WA-12). No
 * counter; any answer naming the enrolled badge signs in. Its `publicInfo` shows a badge's name,
 * and it records what core showed each `beginActivation` (`ctx.enrolled`).
 */
import {
  CORE_VERSION,
  Provider,
  type Begun,
  type CodeEntryPrompt,
  type EnrolledFactor,
  type JsonValue,
  type ProviderContext,
  type ProviderCapabilities,
  type TwoFactorProvider,
  type VerifyOutcome,
} from '../../src/index.js';

class NoSettings {}

export interface BadgeAnswer {
  badge: string;
  /** Passed to core as it is, so tests can send malformed ones. */
  lookupKey?: unknown;
}

@Provider()
export class BadgeProvider implements TwoFactorProvider<NoSettings, JsonValue> {
  readonly id = 'badge';
  readonly displayName = 'Badge';
  readonly coreVersion = `^${CORE_VERSION}`;
  readonly configSchema = NoSettings;
  readonly capabilities: ProviderCapabilities = {
    interactive: true,
    outOfBand: 'none',
    replayCounter: false,
    retryableChallenge: true,
    multipleEnrollments: true,
  };

  /** What each `beginActivation` was shown of the user's badges (`ctx.enrolled`). */
  readonly seenEnrolled: (readonly EnrolledFactor[] | undefined)[] = [];

  /** The badge's name only; a badge named `unreadable` makes the hook throw. */
  publicInfo(enrollment: JsonValue): JsonValue {
    const badge = (enrollment as { badge: string }).badge;
    if (badge === 'unreadable') throw new Error('cannot describe this badge');
    return { badge };
  }

  async beginActivation(ctx: ProviderContext): Promise<Begun<CodeEntryPrompt>> {
    this.seenEnrolled.push(ctx.enrolled);
    return { prompt: { kind: 'code-entry' }, pending: null };
  }

  async completeActivation(_ctx: unknown, _user: unknown, _pending: JsonValue, input: unknown) {
    const answer = input as BadgeAnswer;
    return {
      ok: true as const,
      enrollment: { badge: answer.badge },
      ...('lookupKey' in answer ? { lookupKey: answer.lookupKey } : {}),
    } as never;
  }

  async beginChallenge(): Promise<Begun<CodeEntryPrompt>> {
    return { prompt: { kind: 'code-entry' }, pending: null };
  }

  async verify(
    _ctx: unknown,
    _user: unknown,
    enrollment: JsonValue,
    _pending: JsonValue,
    input: unknown,
  ): Promise<VerifyOutcome> {
    return (enrollment as { badge: string }).badge === input
      ? { ok: true }
      : { ok: false, reason: 'INVALID_CODE' };
  }
}
