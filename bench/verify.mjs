#!/usr/bin/env node
// How much does factorkit add on top of the raw cryptography of one TOTP check?
// Three measurements in the same process, interleaved in rounds so that machine noise hits
// each alike, reported as ratios to the baseline (never as bare times):
//   baseline  a node:crypto HMAC-SHA1 over the 3 steps of a +/-1 window (what any verifier must do)
//   provider  TotpProvider.verify on a wrong code (window 1, constant-time over every candidate)
//   service   TwoFactorService.completeChallenge on a wrong code, memory stores: throttle reserve,
//             atomic pending take, AES-GCM opens, provider verify, audit, pending restore
// Run: node bench/verify.mjs   (after a build)
import { createHmac } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { CryptoRandomSource, ProviderRegistry } from '@factorkit/core';
import { createHarness, testUser } from '@factorkit/core/testing';
import { TotpProvider } from '@factorkit/provider-totp';
import * as OTPAuth from 'otpauth';

const ROUNDS = 7;
const N = 2000;

const key = Buffer.from(new CryptoRandomSource().bytes(20));
function baseline() {
  const step = Math.floor(Date.now() / 30_000);
  let x = 0;
  for (const t of [step - 1, step, step + 1]) {
    const msg = Buffer.alloc(8);
    msg.writeBigUInt64BE(BigInt(t));
    x ^= createHmac('sha1', key).update(msg).digest()[19];
  }
  return x;
}

const h = createHarness({
  providers: [TotpProvider],
  policy: {
    throttle: { maxFailures: 100, freeFailures: 100, permanentLockAfter: 100 },
    pending: { maxAttempts: 10 },
  },
});
h.clock.set(Date.now());
const user = testUser();
const a = await h.service.beginActivation(user, 'totp');
const app = OTPAuth.URI.parse(a.prompt.otpauthUri);
await h.service.completeActivation(
  a.activationId,
  user,
  app.generate({ timestamp: h.clock.now() }),
);
h.clock.advance(30_000);
const right = app.generate({ timestamp: h.clock.now() });
const wrong = right === '000000' ? '111111' : '000000';

const registry = new ProviderRegistry({ clock: h.clock });
registry.register(TotpProvider);
const provider = registry.get('totp');
const ctx = {
  providerId: 'totp',
  config: h.config.providers['totp'].settings,
  audience: 'client',
  constants: {},
};
const enrollment = { secret: app.secret.base32, algorithm: 'SHA1', digits: 6, period: 30 };

async function providerVerify() {
  return provider.verify(ctx, user, enrollment, null, wrong);
}
async function serviceVerify() {
  const ch = await h.service.beginChallenge(user);
  try {
    await h.service.completeChallenge(ch.challengeId, user, wrong);
  } catch {
    // INVALID_CODE expected
  }
  await h.stores.throttle.reset(`user:${encodeURIComponent(user.id)}`);
}
async function serviceBegin() {
  await h.service.beginChallenge(user);
}

async function time(fn) {
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await fn();
  return (performance.now() - t0) / N;
}

const samples = { baseline: [], provider: [], begin: [], service: [] };
for (let r = 0; r < ROUNDS; r++) {
  samples.baseline.push(await time(async () => baseline()));
  samples.provider.push(await time(providerVerify));
  samples.begin.push(await time(serviceBegin));
  samples.service.push(await time(serviceVerify));
}
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const base = median(samples.baseline);
const ratio = (k) => (median(samples[k]) / base).toFixed(1);
console.log(
  `TOTP wrong-code check, ${ROUNDS} rounds x ${N} operations, medians as ratios to the baseline`,
);
console.log(`  baseline  node:crypto HMAC-SHA1 x 3 window steps           1.0`);
console.log(`  provider  TotpProvider.verify (constant-time window)      ${ratio('provider')}`);
console.log(`  service   beginChallenge alone                             ${ratio('begin')}`);
console.log(`  service   beginChallenge + completeChallenge (wrong code)  ${ratio('service')}`);
