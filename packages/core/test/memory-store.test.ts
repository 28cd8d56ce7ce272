import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, MemoryPendingStore, MemoryStore } from '../src/index.js';
import type { PendingRecord } from '../src/index.js';
import { describeStoreContract } from '../src/testing/index.js';

describeStoreContract('memory', { create: async () => new MemoryStore() }, { describe, it });

const NOW = 1_800_000_000_000;
let n = 0;
const step = (userId: string, createdAt: number, lifetime = 300_000): PendingRecord => ({
  id: `m${++n}`,
  kind: 'challenge',
  userId,
  providerId: 'p',
  payload: 'sealed',
  attempts: 0,
  createdAt,
  expiresAt: createdAt + lifetime,
});

describe('memory pending store: expired steps are swept on create (EN-01)', () => {
  it("sweeps every user's steps once they are past expiry plus the grace, and not a moment before", async () => {
    const p = new MemoryPendingStore(1000);
    const others = Array.from({ length: 50 }, (_, i) => step(`u${i}`, NOW));
    for (const r of others) await p.create(r);
    const live = step('long', NOW, 10 * 3_600_000);
    await p.create(live);
    const due = NOW + 300_000 + 1000;
    await p.create(step('new', due - 1));
    expect(await p.peek(others[0]!.id)).not.toBeNull();
    await p.create(step('new', due));
    for (const r of others) expect(await p.peek(r.id)).toBeNull();
    expect(await p.take(live.id, 'long', 'challenge')).toEqual(live);
    expect(await p.deleteForUser('new')).toBe(2);
  });

  it('many abandoned steps across users leave only the live ones behind', async () => {
    const p = new MemoryPendingStore();
    let at = NOW;
    for (let i = 0; i < 200; i++) {
      await p.create(step(`user${i % 7}`, at));
      at += 400_000;
    }
    // Only the steps created within the last lifetime plus grace (60 s) remain: the last one.
    let left = 0;
    for (let u = 0; u < 7; u++) left += await p.deleteForUser(`user${u}`);
    expect(left).toBe(1);
  });

  it('refuses a grace that is not a non-negative integer', () => {
    for (const bad of [-1, 0.5, Number.NaN])
      expect(() => new MemoryPendingStore(bad)).toThrow(InvalidArgumentError);
  });
});
