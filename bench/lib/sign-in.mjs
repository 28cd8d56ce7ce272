// One enrolled TOTP user on a set of stores, and the sign-ins the store suites time and count:
// beginChallenge + completeChallenge with the right code (a fresh time step each time, so the
// replay counter accepts it) or with a wrong one (the failure count is cleared now and then).
import { createHarness, testUser } from '@factorkit/core/testing';
import { TotpProvider } from '@factorkit/provider-totp';
import * as OTPAuth from 'otpauth';

const POLICY = {
  throttle: { maxFailures: 100, freeFailures: 100, permanentLockAfter: 100 },
  pending: { maxAttempts: 10 },
};

/** `stores` undefined: the harness's memory stores. */
export async function enrolledUser(stores, clockStart = Date.now()) {
  const h = createHarness({ providers: [TotpProvider], stores, policy: POLICY });
  h.clock.set(clockStart);
  const user = testUser();
  const a = await h.service.beginActivation(user, 'totp');
  const app = OTPAuth.URI.parse(a.prompt.otpauthUri);
  await h.service.completeActivation(
    a.activationId,
    user,
    app.generate({ timestamp: h.clock.now() }),
  );
  const throttleKey = `user:${encodeURIComponent(user.id)}`;
  let wrongs = 0;
  const begin = () => h.service.beginChallenge(user);
  const completeRight = (ch) => {
    h.clock.advance(30_000);
    return h.service.completeChallenge(
      ch.challengeId,
      user,
      app.generate({ timestamp: h.clock.now() }),
    );
  };
  const completeWrong = async (ch) => {
    const code = app.generate({ timestamp: h.clock.now() }) === '000000' ? '111111' : '000000';
    await h.service.completeChallenge(ch.challengeId, user, code).then(
      () => {
        throw new Error('bench: a wrong code was accepted');
      },
      (err) => {
        if (err?.code !== 'INVALID_CODE') throw err;
      },
    );
    // The policy allows 100 failures; clear them now and then, outside most iterations.
    if (++wrongs % 50 === 0) await h.stores.throttle.reset(throttleKey);
  };
  return {
    h,
    user,
    /** The user's authenticator app (otpauth), for codes of any time step. */
    app,
    begin,
    completeRight,
    completeWrong,
    /** A whole successful sign-in. */
    signIn: async () => completeRight(await begin()),
  };
}

/** Statements and round trips of each step, counted on `counter` (median of a few runs). */
export async function countSteps(u, counter, runs = 3) {
  const seen = { begin: [], wrong: [], right: [] };
  for (let i = 0; i < runs; i++) {
    counter.take();
    const ch = await u.begin();
    seen.begin.push(counter.take());
    await u.completeWrong(ch);
    seen.wrong.push(counter.take());
    await u.completeRight(ch);
    seen.right.push(counter.take());
  }
  const mid = (xs) => xs.sort((a, b) => a.statements - b.statements)[Math.floor(xs.length / 2)];
  return { begin: mid(seen.begin), wrong: mid(seen.wrong), right: mid(seen.right) };
}
