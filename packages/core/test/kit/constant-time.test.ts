/**
 * constantTimeEqual (SS-06; ASVS 11.2.4): always crypto.timingSafeEqual on two buffers of
 * the submitted value's length, whatever the expected value is.
 */
import * as crypto from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { constantTimeEqual } from '../../src/index.js';

vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return { ...real, timingSafeEqual: vi.fn(real.timingSafeEqual) };
});

afterEach(() => vi.mocked(crypto.timingSafeEqual).mockClear());

describe('SS-06: constantTimeEqual', () => {
  it('answers equality for strings and bytes', () => {
    expect(constantTimeEqual('123456', '123456')).toBe(true);
    expect(constantTimeEqual('123456', '123457')).toBe(false);
    expect(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(true);
    expect(constantTimeEqual(new Uint8Array([1, 2, 3]), '\x01\x02\x03')).toBe(true);
    expect(constantTimeEqual('', '')).toBe(true);
  });

  it('different lengths are unequal, and the work done is on the submitted length only', () => {
    const tse = vi.mocked(crypto.timingSafeEqual);
    for (const [submitted, expected] of [
      ['12345', '123456'],
      ['1234567', '123456'],
      ['', '123456'],
      ['123456', ''],
    ] as const) {
      tse.mockClear();
      expect(constantTimeEqual(submitted, expected)).toBe(false);
      expect(tse).toHaveBeenCalledTimes(1);
      const [a, b] = tse.mock.calls[0]! as [Uint8Array, Uint8Array];
      expect([a.length, b.length]).toEqual([submitted.length, submitted.length]);
    }
  });

  it('a prefix of the expected value is not equal to it (no truncation)', () => {
    expect(constantTimeEqual('123', '123456')).toBe(false);
    expect(constantTimeEqual('123456', '123')).toBe(false);
  });

  it('property: agrees with plain equality on every pair, with exactly one timingSafeEqual call', () => {
    const tse = vi.mocked(crypto.timingSafeEqual);
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
        tse.mockClear();
        expect(constantTimeEqual(a, b)).toBe(a === b);
        expect(tse).toHaveBeenCalledTimes(1);
      }),
      { numRuns: 500 },
    );
  });
});
