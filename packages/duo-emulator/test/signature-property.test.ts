// DA-01, as a fast-check property: for random parameters, what the independent test signer signs
// the emulator's verifier accepts, and any single-bit change of the signature is rejected.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { startDuoEmulator, verifyAuthApiSignature } from '../src/index.js';
import { signRequest } from './support/auth-api-client.js';

const DATE = 'Tue, 21 Aug 2012 17:29:18 -0000';
const SKEY = 'S'.repeat(40);
const key = fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' });
const value = fc.string({ maxLength: 20, unit: 'grapheme' });
const params = fc.dictionary(key, value, { maxKeys: 6 });

function verify(p: Record<string, string>, hex: string, version: 2 | 5) {
  const body = version === 5 ? JSON.stringify(p) : '';
  return verifyAuthApiSignature(
    {
      method: 'POST',
      host: 'api-test.duosecurity.com',
      path: '/auth/v2/auth',
      params: version === 5 ? [] : Object.entries(p),
      jsonBody: body,
      headers: {
        authorization: 'Basic ' + Buffer.from(`DIKEY:${hex}`).toString('base64'),
        date: DATE,
      },
    },
    { lookupSkey: (k) => (k === 'DIKEY' ? SKEY : undefined), nowMs: Date.parse(DATE) },
  );
}

describe('signer/verifier agreement (DA-01, property-based)', () => {
  it.each([2, 5] as const)(
    'v%d: accepted as signed, rejected after any one-bit flip',
    (version) => {
      fc.assert(
        fc.property(params, fc.nat(), (p, bitSeed) => {
          const { authorization } = signRequest({
            ikey: 'DIKEY',
            skey: SKEY,
            method: 'POST',
            host: 'api-test.duosecurity.com',
            path: '/auth/v2/auth',
            params: p,
            date: DATE,
            version,
          });
          const hex = Buffer.from(authorization.slice(6), 'base64').toString().split(':')[1]!;
          expect(verify(p, hex, version)).toMatchObject({ ok: true, version });
          const i = bitSeed % hex.length;
          const bit = 1 << (bitSeed % 4);
          const flipped =
            hex.slice(0, i) + (parseInt(hex[i]!, 16) ^ bit).toString(16) + hex.slice(i + 1);
          expect(verify(p, flipped, version)).toMatchObject({ ok: false, code: 40103 });
        }),
        { numRuns: 200 },
      );
    },
  );
});

describe('options', () => {
  it('refuses to listen anywhere but loopback', async () => {
    await expect(startDuoEmulator({ host: '0.0.0.0' as never })).rejects.toMatchObject({
      name: 'DuoEmulatorError',
      code: 'OPTIONS_INVALID',
    });
  });
});
