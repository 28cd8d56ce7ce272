/**
 * What the cheap sign-in path (issue 17) must not change: refusals are still the same typed
 * errors without their stack trace, pooled random bytes are never handed out twice, and a wrong
 * answer puts the sealed step back as it was stored.
 */
import { describe, expect, it } from 'vitest';
import {
  CryptoRandomSource,
  FactorkitError,
  InvalidCodeError,
  LockedError,
  PendingStateError,
  StoreUnavailableError,
  type PendingRecord,
} from '../src/index.js';
import { RandomPool } from '../src/crypto/random-pool.js';
import { testUser } from '../src/testing/index.js';
import { clockHarness } from './support/setup.js';

describe('refusals carry no stack trace; faults keep theirs', () => {
  it('expected refusals are the same classes with the same codes and details, without frames', () => {
    const refusals = [
      new InvalidCodeError(undefined, { details: { retryable: true } }),
      new PendingStateError('CHALLENGE_NOT_FOUND'),
      new LockedError(30),
    ];
    for (const err of refusals) {
      expect(err).toBeInstanceOf(FactorkitError);
      expect(err).toBeInstanceOf(Error);
      expect(err.stack).not.toMatch(/\n\s+at /);
    }
    expect(refusals[0]).toMatchObject({ code: 'INVALID_CODE', details: { retryable: true } });
    expect(refusals[2]).toMatchObject({ code: 'LOCKED', retryAfter: 30 });
  });

  it('a fault keeps its stack, and the host stackTraceLimit is left as it was', () => {
    const before = Error.stackTraceLimit;
    new InvalidCodeError();
    expect(Error.stackTraceLimit).toBe(before);
    expect(new StoreUnavailableError().stack).toMatch(/\n\s+at /);
  });
});

describe('pooled CSPRNG bytes', () => {
  it('hands out the asked length, fresh bytes each time, and large requests straight from the CSPRNG', () => {
    const pool = new RandomPool();
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const b = pool.take(16);
      expect(b).toBeInstanceOf(Uint8Array);
      expect(b.length).toBe(16);
      seen.add(Buffer.from(b).toString('hex'));
    }
    // 2000 draws of 128 bits, across several refills: a repeat would mean reused bytes.
    expect(seen.size).toBe(2000);
    expect(pool.take(5000).length).toBe(5000);
    expect(pool.take(0).length).toBe(0);
  });

  it('tokens from the random source stay 256-bit and distinct', () => {
    const random = new CryptoRandomSource();
    const tokens = new Set(Array.from({ length: 500 }, () => random.token(32)));
    expect(tokens.size).toBe(500);
    for (const t of tokens) expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('a wrong answer puts the sealed step back as stored', () => {
  it('same payload, one more attempt', async () => {
    const h = clockHarness();
    const user = testUser();
    await h.enroll(user);
    const ch = await h.service.beginChallenge(user);
    const rows = (h.stores.pending as unknown as { pendingRows: Map<string, PendingRecord> })
      .pendingRows;
    const stored = rows.get(ch.challengeId)!;
    expect(stored.payload.startsWith('fk1.')).toBe(true);
    await expect(h.service.completeChallenge(ch.challengeId, user, 'x')).rejects.toMatchObject({
      code: 'INVALID_FORMAT',
    });
    expect(rows.get(ch.challengeId)).toEqual({ ...stored, attempts: 1 });
  });
});
