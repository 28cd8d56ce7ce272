/**
 * Prompt kinds: every kind of the ActivationPrompt union is in PROMPT_KINDS (so core lets it
 * through at activation), and the activation-only kinds (qr-enrollment, token-programming) are
 * refused at a challenge.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  CORE_VERSION,
  PROMPT_KINDS,
  type ActivationPrompt,
  type TokenProgrammingPrompt,
  type TwoFactorProvider,
} from '../src/index.js';
import { createHarness, testUser } from '../src/testing/index.js';

class NoSettings {}

const TOKEN_PROMPT: TokenProgrammingPrompt = {
  kind: 'token-programming',
  otpType: 'hotp',
  secretBase32: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
  secretHex: '3132333435363738393031323334353637383930',
  algorithm: 'SHA1',
  digits: 6,
  counter: 0,
  message: 'Program this secret into the token, then type its first code.',
};

function tokenProvider(challengePrompt: unknown): TwoFactorProvider {
  return {
    id: 'token',
    displayName: 'Hardware token',
    coreVersion: `^${CORE_VERSION}`,
    configSchema: NoSettings,
    capabilities: {
      interactive: true,
      outOfBand: 'none',
      replayCounter: false,
      retryableChallenge: true,
    },
    async beginActivation() {
      return { prompt: TOKEN_PROMPT, pending: null };
    },
    async completeActivation(_ctx, _user, _pending, input) {
      return input === '755224'
        ? { ok: true, enrollment: {} }
        : { ok: false, reason: 'INVALID_CODE' };
    },
    async beginChallenge() {
      return { prompt: challengePrompt as never, pending: null };
    },
    async verify() {
      return { ok: false, reason: 'INVALID_CODE' };
    },
  };
}

describe('prompt kinds', () => {
  it('PROMPT_KINDS lists exactly the kinds of the ActivationPrompt union', () => {
    expectTypeOf<(typeof PROMPT_KINDS)[number]>().toEqualTypeOf<ActivationPrompt['kind']>();
    expect(PROMPT_KINDS).toContain('token-programming');
  });

  it('a token-programming prompt reaches the host at activation, unchanged', async () => {
    const h = createHarness({ providers: [tokenProvider({ kind: 'code-entry' })] });
    const user = testUser();
    const started = await h.service.beginActivation(user, 'token');
    expect(started.prompt).toEqual(TOKEN_PROMPT);
    await expect(
      h.service.completeActivation(started.activationId, user, '755224'),
    ).resolves.toMatchObject({ ok: true });
  });

  it('activation-only kinds are refused at a challenge (PROVIDER_ERROR)', async () => {
    for (const prompt of [TOKEN_PROMPT, { kind: 'qr-enrollment' }, { kind: 'nonsense' }]) {
      const h = createHarness({ providers: [tokenProvider(prompt)] });
      const user = testUser();
      const started = await h.service.beginActivation(user, 'token');
      await h.service.completeActivation(started.activationId, user, '755224');
      await expect(h.service.beginChallenge(user)).rejects.toMatchObject({
        code: 'PROVIDER_ERROR',
      });
    }
  });
});
