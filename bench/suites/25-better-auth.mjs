// A whole second-factor step, in process, memory stores on both sides: a user whose password has
// just been accepted (a pending sign-in) proves a TOTP code, and the right code each time.
//
// factorkit: `beginChallenge(user)` + `completeChallenge(id, user, code)`. That is: the throttle
// check and reserve, the enrollment lookup, a sealed (AES-GCM) pending step with a 256-bit id,
// its atomic take, the enrollment decrypted, the TOTP check (3 steps), replay protection (the
// step is recorded: a fake clock moves 30 s per sign-in so every code is new), the throttle
// refund and the audit events. The host's session is the host's business, not included.
//
// better-auth 1.7.25 with its two-factor plugin and memory adapter: the pending sign-in exactly
// as its sign-in hook makes it (two verification rows, a random identifier and the signed
// `two_factor` cookie), then `auth.api.verifyTOTP` through its API: cookie signature check,
// pending row lookup, user and two-factor rows, lockout check, attempt counter, secret
// decrypted, TOTP check, pending row consumed, a session created and its cookie signed.
// The password check of its sign-in is left out, as it is on factorkit's side (both measure what
// comes after the password). better-auth keeps no record of used codes, so it is not told to.
import { webcrypto } from 'node:crypto';
import { createHarness, FakeClock, testUser } from '@factorkit/core/testing';
import { TotpProvider } from '@factorkit/provider-totp';
import { betterAuth } from 'better-auth';
import { memoryAdapter } from 'better-auth/adapters/memory';
import { generateRandomString } from 'better-auth/crypto';
import { twoFactor } from 'better-auth/plugins';
import * as OTPAuth from 'otpauth';

/** better-call's signed cookie value (`value.base64(HMAC-SHA256)`, URL-encoded), as it signs it. */
async function signCookieValue(value, secret) {
  const key = await webcrypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = await webcrypto.subtle.sign('HMAC', key, new TextEncoder().encode(value));
  return encodeURIComponent(`${value}.${Buffer.from(mac).toString('base64')}`);
}

async function factorkitSide() {
  const clock = new FakeClock(Date.now());
  const h = createHarness({ providers: [TotpProvider], clock });
  const user = testUser();
  const a = await h.service.beginActivation(user, 'totp');
  const app = OTPAuth.URI.parse(a.prompt.otpauthUri);
  await h.service.completeActivation(
    a.activationId,
    user,
    app.generate({ timestamp: clock.now() }),
  );
  return {
    async step() {
      clock.advance(30_000); // a new time step: the last code was spent (replay protection)
      const code = app.generate({ timestamp: clock.now() });
      const ch = await h.service.beginChallenge(user);
      const r = await h.service.completeChallenge(ch.challengeId, user, code);
      if (r.ok !== true) throw new Error('factorkit refused the right code: the bench is broken');
    },
  };
}

async function betterAuthSide() {
  const db = { user: [], session: [], account: [], verification: [], twoFactor: [] };
  const secret = generateRandomString(32);
  const auth = betterAuth({
    appName: 'Bench',
    baseURL: 'http://localhost:3000',
    secret,
    database: memoryAdapter(db),
    emailAndPassword: { enabled: true },
    plugins: [twoFactor()],
    telemetry: { enabled: false },
    logger: { disabled: true },
  });
  const password = 'correct horse battery staple';
  const signUp = await auth.api.signUpEmail({
    body: { email: 'bench@example.test', password, name: 'Bench' },
    returnHeaders: true,
  });
  const sessionCookie = signUp.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const headers = new Headers({ cookie: sessionCookie });
  const enabled = await auth.api.enableTwoFactor({ body: { password }, headers });
  const app = OTPAuth.URI.parse(enabled.totpURI);
  await auth.api.verifyTOTP({ body: { code: app.generate() }, headers });
  const userId = signUp.response.user.id;
  if (db.user.find((u) => u.id === userId)?.twoFactorEnabled !== true)
    throw new Error('better-auth two-factor was not enabled: the bench is broken');

  const ctx = await auth.$context;
  const cookieName = ctx.createAuthCookie('two_factor').name;
  return {
    async step() {
      // The pending sign-in, as the two-factor plugin's sign-in hook creates it.
      const identifier = `2fa-${generateRandomString(20)}`;
      const expiresAt = new Date(Date.now() + 600_000);
      await ctx.internalAdapter.createVerificationValue({ value: userId, identifier, expiresAt });
      await ctx.internalAdapter.createVerificationValue({
        value: '0',
        identifier: `2fa-attempts-${identifier}`,
        expiresAt,
      });
      const cookie = `${cookieName}=${await signCookieValue(identifier, secret)}`;
      const r = await auth.api.verifyTOTP({
        body: { code: app.generate() },
        headers: new Headers({ cookie }),
      });
      if (!r?.token) throw new Error('better-auth refused the right code: the bench is broken');
      // Every success adds a session row. Its memory adapter copies the whole database
      // (structuredClone, twice) for each transaction, so the cost grows with every row kept:
      // dropping the session at once keeps better-auth at its best case, a near-empty database.
      db.session.length = 0;
    },
  };
}

export default {
  id: 'better-auth',
  async run(b) {
    const fk = await factorkitSide();
    const ba = await betterAuthSide();
    await fk.step();
    await ba.step();
    await b.compare({
      id: 'peer.better-auth.totp-step',
      title: 'second-factor step (pending sign-in + right TOTP code), vs better-auth 1.7.25',
      baseline: { label: 'better-auth verifyTOTP', fn: () => ba.step() },
      subject: { label: 'factorkit begin+complete', fn: () => fk.step() },
      goal: { below: 1 },
    });
  },
};
