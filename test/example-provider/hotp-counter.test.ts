/**
 * How the example HOTP provider uses ctx.lastCounter (RFC 4226 §7.4 look-ahead) and how core's
 * compare-and-set turns a replay it reports into CODE_ALREADY_USED (RP-01, RP-02).
 */
import { describe, expect, it } from 'vitest';
import {
  CryptoRandomSource,
  decodeBase32,
  encodeBase32,
  type ProviderContext,
  type TokenProgrammingPrompt,
} from '@factorkit/core';
import { createHarness, testUser } from '@factorkit/core/testing';
import { hotpCode } from '../../examples/hotp-provider/hotp.js';
import { HotpProvider, HotpSettings } from '../../examples/hotp-provider/hotp-provider.js';

const params = { algorithm: 'SHA1', digits: 6 } as const;

async function enrolled() {
  const h = createHarness({ providers: [HotpProvider], settings: { hotp: { lookAhead: 3 } } });
  const user = testUser();
  const started = await h.service.beginActivation(user, 'hotp');
  const prompt = started.prompt as TokenProgrammingPrompt;
  const secret = decodeBase32(prompt.secretBase32);
  const code = (counter: number) => hotpCode(secret, counter, params);
  await h.service.completeActivation(started.activationId, user, code(0));
  const answer = async (input: string) => {
    const ch = await h.service.beginChallenge(user);
    return h.service.completeChallenge(ch.challengeId, user, input);
  };
  return { h, user, code, answer, prompt };
}

describe('example HOTP provider: look-ahead and replay', () => {
  it('the activation prompt programs a token: hex and Base32 are one secret, counter 0', async () => {
    const { prompt } = await enrolled();
    expect(prompt).toMatchObject({ kind: 'token-programming', otpType: 'hotp', counter: 0 });
    expect(Buffer.from(decodeBase32(prompt.secretBase32)).toString('hex')).toBe(prompt.secretHex);
    expect(prompt.secretHex).toHaveLength(40); // 160 bits, RFC 4226 §4's recommendation
  });

  it('RP-02: the code that confirmed activation (counter 0) cannot sign in', async () => {
    const { h, code, answer } = await enrolled();
    await expect(answer(code(0))).rejects.toMatchObject({ code: 'CODE_ALREADY_USED' });
    expect(h.audit.ofType('replay.rejected')).toMatchObject([{ counter: 0 }]);
  });

  it('accepts a counter up to lookAhead past the last accepted one, and not beyond', async () => {
    const { answer, code } = await enrolled();
    await expect(answer(code(4))).rejects.toMatchObject({ code: 'INVALID_CODE' }); // 0 + 4 > 3
    await expect(answer(code(3))).resolves.toMatchObject({ ok: true, method: 'hotp' });
    await expect(answer(code(4))).resolves.toMatchObject({ ok: true }); // now 3 + 1
  });

  it('RP-01: after counter 3 is accepted, the same code and the skipped codes 1 and 2 are replays', async () => {
    const { h, answer, code } = await enrolled();
    await answer(code(3));
    for (const old of [3, 2, 1]) {
      await expect(answer(code(old))).rejects.toMatchObject({ code: 'CODE_ALREADY_USED' });
    }
    expect(h.audit.ofType('replay.rejected').map((e) => e.counter)).toEqual([3, 2, 1]);
    await expect(answer(code(4))).resolves.toMatchObject({ ok: true });
  });

  it('verify reports a replay as a success with its old counter, for core to refuse', async () => {
    const provider = new HotpProvider(new CryptoRandomSource());
    const secret = new Uint8Array(Buffer.from('12345678901234567890', 'latin1'));
    const enrollment = { secret: encodeBase32(secret), ...params };
    const ctx = (lastCounter: number): ProviderContext<HotpSettings> => ({
      providerId: 'hotp',
      config: Object.assign(new HotpSettings(), { lookAhead: 3 }),
      audience: 'client',
      constants: {},
      lastCounter,
    });
    const user = { id: 'u1', audience: 'client', username: 'alice' };
    const verify = (last: number, input: string) =>
      provider.verify(ctx(last), user, enrollment, null, input);
    // RFC 4226 Appendix D: counter 5 is 254676, counter 7 is 162583.
    await expect(verify(4, '254676')).resolves.toEqual({ ok: true, counter: 5, method: 'hotp' });
    await expect(verify(5, '254676')).resolves.toEqual({ ok: true, counter: 5, method: 'hotp' });
    await expect(verify(7, '254676')).resolves.toEqual({ ok: true, counter: 5, method: 'hotp' });
    await expect(verify(8, '254676')).resolves.toEqual({ ok: false, reason: 'INVALID_CODE' });
    await expect(verify(3, '162583')).resolves.toEqual({ ok: false, reason: 'INVALID_CODE' });
    await expect(verify(4, '162 583')).resolves.toEqual({ ok: true, counter: 7, method: 'hotp' });
    await expect(verify(4, '162583\n')).resolves.toEqual({ ok: false, reason: 'INVALID_FORMAT' });
  });
});
