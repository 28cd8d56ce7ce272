// DA-01: the Auth API signer reproduces Duo's reference vectors byte for byte (§B.3, from the
// tests of Duo's own duo_api_nodejs), and for random requests the emulator's independent verifier
// accepts what we sign and rejects any single-bit change.
import fc from 'fast-check';
import { verifyAuthApiSignature } from '@factorkit/duo-emulator';
import { describe, expect, it } from 'vitest';
import {
  authorizationHeader,
  canonParams,
  canonXDuoHeaders,
  canonicalV2,
  canonicalV5,
  hmacSha512Hex,
  sha512Hex,
  signingHost,
} from '../src/index.js';
import { CANON_PARAM_VECTORS, NODE_V2, NODE_V5, PYTHON, SHA512_EMPTY } from './vectors.js';

describe('Duo Auth API signer: reference vectors (DA-01, §B.3)', () => {
  it.each(CANON_PARAM_VECTORS.map((v, i) => [i, v] as const))(
    "DA-01 canon_params vector %i (sorting foo < foo_bar, !'()*, unicode)",
    (_i, v) => {
      expect(canonParams(v.params)).toBe(v.expected);
    },
  );

  it('DA-01 Python: booleans and integers normalise (true, 5)', () => {
    expect(canonParams(PYTHON.normalised.params)).toBe(PYTHON.normalised.expected);
  });

  it('DA-01 Node v2 vector: canonical string and Authorization header', () => {
    const c = canonicalV2(NODE_V2);
    expect(c).toBe(NODE_V2.canonical);
    expect(authorizationHeader(NODE_V2.ikey, NODE_V2.skey, c)).toBe(NODE_V2.authorization);
  });

  it('DA-01 Node v5 vector: JSON body hash and empty x-duo headers hash', () => {
    const c = canonicalV5({ ...NODE_V2, params: {}, body: NODE_V5.body });
    expect(c).toBe(NODE_V5.canonical);
    expect(authorizationHeader(NODE_V2.ikey, NODE_V2.skey, c)).toBe(NODE_V5.authorization);
    expect(sha512Hex('')).toBe(SHA512_EMPTY);
  });

  it('DA-01 Python unicode vector: canonical v2 (host lower-cased, method upper-cased) and HMAC-SHA512', () => {
    const c = canonicalV2(PYTHON);
    expect(c).toBe(PYTHON.canonical);
    expect(hmacSha512Hex(PYTHON.skey, c)).toBe(PYTHON.hmacSha512);
  });

  it('DA-01 Python v5 x-duo-* header canonicalisation and canonical JSON hash', () => {
    expect(sha512Hex(canonXDuoHeaders(PYTHON.xDuoHeaders1))).toBe(PYTHON.xDuoHeaders1Sha);
    expect(sha512Hex(canonXDuoHeaders(PYTHON.xDuoHeaders2))).toBe(PYTHON.xDuoHeaders2Sha);
    expect(sha512Hex(PYTHON.canonJson)).toBe(PYTHON.canonJsonSha);
    expect(() => canonXDuoHeaders({ 'X-Other': 'v' })).toThrow(RangeError);
  });

  it('signs the host without its port (what Duo and the emulator compare)', () => {
    expect(signingHost('API-1234ABCD.duosecurity.com')).toBe('api-1234abcd.duosecurity.com');
    expect(signingHost('127.0.0.1:8443')).toBe('127.0.0.1');
    expect(signingHost('[::1]:8443')).toBe('[::1]');
  });
});

describe('Duo Auth API signer against the emulator verifier (DA-01, property)', () => {
  const ikey = 'DIABCDEFGHIJKLMNOPQR';
  const skey = 'S'.repeat(20) + 'k'.repeat(20);
  const date = new Date(Date.UTC(2026, 0, 1)).toUTCString();
  const now = Date.UTC(2026, 0, 1);
  const key = fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' });
  const params = fc.dictionary(key, fc.string({ maxLength: 20, unit: 'grapheme' }), {
    maxKeys: 6,
  });

  const verify = (p: Record<string, string>, header: string, version: 2 | 5, body = '') =>
    verifyAuthApiSignature(
      {
        method: 'POST',
        host: 'api-12345678.duosecurity.com',
        path: '/auth/v2/preauth',
        params: version === 2 ? Object.entries(p) : [],
        jsonBody: body,
        headers: { authorization: header, 'x-duo-date': date },
      },
      { lookupSkey: (k) => (k === ikey ? skey : undefined), nowMs: now },
    );

  it('DA-01 v2: every random request we sign verifies; flipping one bit of the signature fails', () => {
    fc.assert(
      fc.property(params, fc.nat(), (p, bit) => {
        const canonical = canonicalV2({
          date,
          method: 'POST',
          host: 'api-12345678.duosecurity.com',
          path: '/auth/v2/preauth',
          params: p,
        });
        const header = authorizationHeader(ikey, skey, canonical);
        expect(verify(p, header, 2).ok).toBe(true);
        const sig = Buffer.from(hmacSha512Hex(skey, canonical), 'hex');
        sig[(bit >> 3) % sig.length]! ^= 1 << (bit & 7);
        const tampered =
          'Basic ' + Buffer.from(`${ikey}:${sig.toString('hex')}`).toString('base64');
        expect(verify(p, tampered, 2).ok).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('DA-01 v5: the JSON body is covered; changing one byte of it fails verification', () => {
    fc.assert(
      fc.property(params, (p) => {
        const body = JSON.stringify(p);
        const canonical = canonicalV5({
          date,
          method: 'POST',
          host: 'api-12345678.duosecurity.com',
          path: '/auth/v2/preauth',
          params: {},
          body,
        });
        const header = authorizationHeader(ikey, skey, canonical);
        expect(verify(p, header, 5, body).ok).toBe(true);
        expect(verify(p, header, 5, body.replace(/}$/, ' }')).ok).toBe(false);
      }),
      { numRuns: 100 },
    );
  });
});
