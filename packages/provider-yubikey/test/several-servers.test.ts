/**
 * One request, one nonce, to several validation servers (YK-09): the first definitive signed
 * verdict wins, invalid replies are ignored when another server decides, and no server deciding
 * fails closed (or is an outage when every server was only unreachable).
 */
import { testUser } from '@factorkit/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OfflineYubiCloud, type Fault } from '../src/testing/index.js';
import { API_KEY, CLIENT_ID, enroll, harness, outcomeOf, startRig, type Rig } from './helpers.js';

let rig: Rig;
let second: OfflineYubiCloud;
beforeAll(async () => {
  rig = await startRig();
  second = new OfflineYubiCloud().addClient(CLIENT_ID, API_KEY);
  await second.start();
});
afterAll(async () => Promise.all([rig.cloud.close(), second.close()]));

async function withFaults(first: Fault | null, other: Fault | null): Promise<string> {
  rig.cloud.fault = null;
  second.fault = null;
  const h = harness({ ...rig.settings, apiUrls: [rig.cloud.url, second.url] });
  const key = rig.newKey();
  second.addKey(key);
  const { user } = await enroll(h, key);
  rig.cloud.fault = first;
  second.fault = other;
  const ch = await h.service.beginChallenge(user);
  const before = [rig.cloud.nonces.length, second.nonces.length];
  const result = await outcomeOf(h.service.completeChallenge(ch.challengeId, user, key.press()));
  // The challenge's one nonce reached each server at most once (one may be cancelled before it
  // lands), never a retry. Counted by nonce, not by request: a request the enrollment cancelled
  // once the first verdict came may still land now (Node 24's fetch can deliver an aborted
  // request whose connection was being set up), and it carries the enrollment's nonce.
  const earlier = new Set([
    ...rig.cloud.nonces.slice(0, before[0]),
    ...second.nonces.slice(0, before[1]),
  ]);
  const fresh = [...rig.cloud.nonces.slice(before[0]), ...second.nonces.slice(before[1])].filter(
    (n) => !earlier.has(n),
  );
  expect(new Set(fresh).size).toBe(1);
  for (const cloud of [rig.cloud, second]) {
    expect(cloud.nonces.filter((n) => n === fresh[0]).length).toBeLessThanOrEqual(1);
  }
  rig.cloud.fault = null;
  second.fault = null;
  return result;
}

describe('several validation servers', () => {
  it.each<[string, Fault | null, Fault | null, string]>([
    ['(c) one down, one OK', 'down', null, 'SUCCESS'],
    ['(c) HTTP 500 and OK', 'http500', null, 'SUCCESS'],
    ['(e) a forged signature and a valid OK', 'wrong-signature', null, 'SUCCESS'],
    ['(a) REPLAYED_REQUEST and OK', { status: 'REPLAYED_REQUEST' }, null, 'SUCCESS'],
    [
      '(b) REPLAYED_REQUEST from all',
      { status: 'REPLAYED_REQUEST' },
      { status: 'REPLAYED_REQUEST' },
      'PROVIDER_ERROR',
    ],
    ['a forged reply and an outage', 'wrong-nonce', 'down', 'PROVIDER_ERROR'],
    ['every server down', 'down', 'hang', 'PROVIDER_UNAVAILABLE'],
    [
      '(d) a signed deny decides while the other server hangs',
      { status: 'BAD_OTP' },
      'hang',
      'INVALID_CODE',
    ],
  ])('YK-09: %s', async (_name, first, other, expected) => {
    expect(await withFaults(first, other)).toBe(expected);
  });

  it('YK-09: (d) a signed deny wins over a later OK, and the slow request is cancelled', async () => {
    const h = harness({ ...rig.settings, apiUrls: [rig.cloud.url, second.url] });
    const key = rig.newKey();
    second.addKey(key);
    const { user } = await enroll(h, key);
    rig.cloud.fault = { status: 'BAD_OTP' };
    second.delayMs = 800; // answers OK, but later
    try {
      const ch = await h.service.beginChallenge(user);
      const started = performance.now();
      const result = await outcomeOf(
        h.service.completeChallenge(ch.challengeId, user, key.press()),
      );
      expect(result).toBe('INVALID_CODE');
      expect(performance.now() - started).toBeLessThan(700);
    } finally {
      rig.cloud.fault = null;
      second.delayMs = 0;
    }
  });

  it('YK-09: both servers receive the same nonce and signature, each once', async () => {
    const seen = new Map<OfflineYubiCloud, string[]>([
      [rig.cloud, []],
      [second, []],
    ]);
    for (const cloud of [rig.cloud, second]) {
      const original = cloud.verify.bind(cloud);
      cloud.verify = (params) => {
        seen.get(cloud)!.push(`${params.get('nonce')}|${params.get('h')}`);
        return original(params);
      };
    }
    const h = harness({ ...rig.settings, apiUrls: [rig.cloud.url, second.url] });
    const key = rig.newKey();
    second.addKey(key);
    await enroll(h, key, testUser());
    // The slower server's request may land after the faster verdict ended the enrollment (it
    // is cancelled, but on Node 24 an aborted fetch can still be delivered): wait for it.
    const common = () => seen.get(rig.cloud)!.filter((x) => seen.get(second)!.includes(x));
    for (let i = 0; i < 40 && common().length === 0; i++)
      await new Promise((r) => setTimeout(r, 25));
    const shared = common();
    expect(shared).toHaveLength(1);
    expect(shared[0]).toMatch(/^[0-9a-f]{32}\|/);
    for (const list of seen.values()) expect(list.filter((x) => x === shared[0])).toHaveLength(1);
  });
});
