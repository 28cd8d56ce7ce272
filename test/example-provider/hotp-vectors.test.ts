/**
 * The example HOTP provider's algorithm against RFC 4226 Appendix D (VEC-02), read from
 * rfc4226-appendix-d.json: all ten counters, 6 digits as in the RFC and 8 digits derived.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hotpCode } from '../../examples/hotp-provider/hotp.js';

interface Vector {
  count: number;
  hotp6: string;
  hotp8: string;
}
const data = JSON.parse(
  readFileSync(new URL('./rfc4226-appendix-d.json', import.meta.url), 'utf8'),
) as { secretAscii: string; vectors: Vector[] };
const secret = new Uint8Array(Buffer.from(data.secretAscii, 'latin1'));

describe('VEC-02: RFC 4226 Appendix D', () => {
  it('has the ten rows of the RFC', () => {
    expect(data.vectors.map((v) => v.count)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
  for (const v of data.vectors) {
    it(`counter ${v.count}: ${v.hotp6} (6 digits), ${v.hotp8} (8 digits)`, () => {
      expect(hotpCode(secret, v.count, { algorithm: 'SHA1', digits: 6 })).toBe(v.hotp6);
      expect(hotpCode(secret, v.count, { algorithm: 'SHA1', digits: 8 })).toBe(v.hotp8);
    });
  }
  it('a counter above 2^32 is not wrapped to 32 bits (VEC-03 for counters)', () => {
    expect(hotpCode(secret, 2 ** 32, { algorithm: 'SHA1', digits: 8 })).not.toBe(
      hotpCode(secret, 0, { algorithm: 'SHA1', digits: 8 }),
    );
  });
});
