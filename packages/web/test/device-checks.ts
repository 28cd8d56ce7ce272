/**
 * The remembered-device cookie end to end, on any rig: set after a second factor with
 * "remember this device", skipping the next second step for its own user only, and refused
 * (then cleared) when it is another user's, revoked, from before a password change or tampered.
 */
import { expect, it } from 'vitest';
import type { TwoFactorUser } from '@factorkit/core';
import { enrolledUser, type Client, type Rig } from './rig.js';
import { errorOf, stepUp, type OpenRig } from './suite-kit.js';

/** The cookie's name over plain http to the rigs' loopback address. */
/** Always the `__Host-` name, loopback http included (FL-16). */
const DEVICE_NAME = '__Host-factorkit_device';
const PLAIN_NAME = 'factorkit_device';
const DAY_SECONDS = 86_400;

/** The `Set-Cookie` line a response set for `name`. */
function lineFor(lines: readonly string[], name: string): string | undefined {
  return lines.find((line) => line.startsWith(`${name}=`));
}

/** Password, a challenge, and the code with "remember this device" ticked. */
async function signInRemembering(
  r: Rig,
  e: { user: TwoFactorUser; code: () => string },
  c: Client = r.client(),
  headers: Readonly<Record<string, string>> = {},
) {
  await c.visit();
  await c.login(e.user, headers);
  expect((await c.post('/2fa/challenge', {}, { headers })).status).toBe(201);
  const res = await c.post(
    '/2fa/challenge/answer',
    { code: e.code(), rememberDevice: true },
    { headers },
  );
  expect(res.status).toBe(200);
  return { c, res };
}

/** A fresh browser that has only the device cookie, as after signing out. */
function browserWith(r: Rig, token: string, name = DEVICE_NAME): Client {
  const c = r.client();
  c.putCookie(name, token);
  return c;
}

export function deviceChecks(open: OpenRig): void {
  it('FL-16: "remember this device" sets an HttpOnly, SameSite, Path=/ cookie living rememberDeviceDays, beside the rotated session cookie', async () => {
    const r = await open();
    const e = await enrolledUser(r);
    const { c, res } = await signInRemembering(r, e);
    const lines = res.headers.getSetCookie();
    // Both cookies arrive: the session's rotated id and the device's (no Set-Cookie is lost).
    expect(lineFor(lines, 'sid')).toBeDefined();
    const line = lineFor(lines, DEVICE_NAME)!;
    const attributes = line.split(/;\s*/).slice(1).sort();
    // Plain http to a loopback host too: a Host header says nothing about the way in (a TLS
    // proxy may rewrite it to loopback), and browsers keep Secure cookies on localhost.
    expect(attributes).toEqual([
      'HttpOnly',
      `Max-Age=${30 * DAY_SECONDS}`,
      'Path=/',
      'SameSite=Strict',
      'Secure',
    ]);
    const body = (await res.json()) as {
      rememberedDevice: { deviceId: string; expiresAt: number };
    };
    const [device] = await r.service.listTrustedDevices(e.user);
    expect(body.rememberedDevice).toEqual({ deviceId: device!.id, expiresAt: device!.expiresAt });
    expect(device!.expiresAt).toBe(r.clock.now() + 30 * DAY_SECONDS * 1000);
    expect(c.jar(DEVICE_NAME)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(body)).not.toContain(c.jar(DEVICE_NAME));
  });

  it('FL-16: a proxy or client that says http changes nothing: the cookie stays Secure and __Host- prefixed, and only that name is read', async () => {
    const r = await open();
    const e = await enrolledUser(r);
    const http = { 'x-forwarded-proto': 'http' };
    const { res } = await signInRemembering(r, e, r.client(), http);
    const lines = res.headers.getSetCookie();
    expect(lineFor(lines, PLAIN_NAME)).toBeUndefined();
    const line = lineFor(lines, DEVICE_NAME)!;
    expect(line.split(/;\s*/).slice(1).sort()).toEqual([
      'HttpOnly',
      `Max-Age=${30 * DAY_SECONDS}`,
      'Path=/',
      'SameSite=Strict',
      'Secure',
    ]);
    const token = /^__Host-factorkit_device=([^;]+)/.exec(line)![1]!;
    expect((await browserWith(r, token).login(e.user, http)).authenticated).toBe(true);
    // The same token under the unprefixed name (a sibling subdomain could plant one) is not ours.
    const unprefixed = browserWith(r, token, PLAIN_NAME);
    expect((await unprefixed.login(e.user, http)).authenticated).toBe(false);
  });

  it('FL-16: without "remember this device" no device cookie is set and nothing is remembered', async () => {
    const r = await open();
    const e = await enrolledUser(r);
    const c = r.client();
    await c.login(e.user);
    await c.post('/2fa/challenge', {});
    const res = await c.post('/2fa/challenge/answer', { code: e.code() });
    expect(res.status).toBe(200);
    expect(lineFor(res.headers.getSetCookie(), DEVICE_NAME)).toBeUndefined();
    expect(Object.hasOwn((await res.json()) as object, 'rememberedDevice')).toBe(false);
    expect(await r.service.listTrustedDevices(e.user)).toEqual([]);
  });

  it('FL-16: a malformed rememberDevice is a 400 that does not spend the code', async () => {
    const r = await open();
    const e = await enrolledUser(r);
    const c = r.client();
    await c.login(e.user);
    await c.post('/2fa/challenge', {});
    const code = e.code();
    const bad = await c.post('/2fa/challenge/answer', { code, rememberDevice: 'yes' });
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).code).toBe('INVALID_JSON');
    expect((await c.post('/2fa/challenge/answer', { code })).status).toBe(200);
  });

  it('FL-16: where remembering is off for the audience the sign-in succeeds, without a cookie', async () => {
    const r = await open({ rememberDeviceDays: 0 });
    const e = await enrolledUser(r);
    const { res } = await signInRemembering(r, e);
    expect(lineFor(res.headers.getSetCookie(), DEVICE_NAME)).toBeUndefined();
    expect(((await res.json()) as { rememberedDevice: unknown }).rememberedDevice).toBeNull();
  });

  it('FL-09, FL-08: the next sign-in with the cookie skips the second step, says so, and still needs a step-up', async () => {
    const r = await open();
    const e = await enrolledUser(r);
    const { c: first } = await signInRemembering(r, e);
    const again = browserWith(r, first.jar(DEVICE_NAME)!);
    const started = await again.login(e.user);
    expect(started.authenticated).toBe(true);
    expect(started.requirement).toMatchObject({ action: 'skip', reason: 'trusted-device' });
    const [device] = await r.service.listTrustedDevices(e.user);
    expect(started.outcome).toEqual({
      ok: true,
      userId: e.user.id,
      providerId: 'remembered-device',
      method: 'remembered-device',
      assurance: { phishingResistant: false, hardwareBound: false, aal: 1 },
      amr: [],
      at: 0,
      deviceId: device!.id,
    });
    expect((await again.account()).status).toBe(200);
    expect(r.audit.ofType('device.trusted')).toHaveLength(1);
    // The device proved no factor now: changing the account asks for one (FL-08).
    const refused = await again.post('/2fa/account/devices/revoke-all', {});
    expect((await errorOf(refused)).code).toBe('STEP_UP_REQUIRED');
    expect(await r.service.listTrustedDevices(e.user)).toHaveLength(1);
  });

  it("FL-17: another user's device cookie never skips the step, is cleared, and leaves the owner's device working", async () => {
    const r = await open();
    const alice = await enrolledUser(r);
    const bob = await enrolledUser(r);
    const { c: alicesBrowser } = await signInRemembering(r, alice);
    const token = alicesBrowser.jar(DEVICE_NAME)!;
    const shared = browserWith(r, token);
    const started = await shared.login(bob.user);
    expect(started).toMatchObject({
      authenticated: false,
      requirement: { action: 'challenge', deviceRejected: 'unknown' },
    });
    expect((await shared.account()).status).toBe(401);
    expect(lineFor(started.setCookie, DEVICE_NAME)).toMatch(
      /^__Host-factorkit_device=;.*Max-Age=0/,
    );
    expect(shared.jar(DEVICE_NAME)).toBeUndefined();
    expect(r.audit.ofType('device.rejected')).toEqual([
      expect.objectContaining({ userId: bob.user.id, why: 'unknown' }),
    ]);
    expect((await browserWith(r, token).login(alice.user)).authenticated).toBe(true);
  });

  it('FL-17: a revoked device, or one from before a password change, never skips the step and is cleared', async () => {
    const r = await open();
    const e = await enrolledUser(r);
    const { c } = await signInRemembering(r, e);
    const [device] = await r.service.listTrustedDevices(e.user);
    // The owner revokes it over HTTP, which needs a recent second factor (done just now).
    expect((await c.post(`/2fa/account/devices/${device!.id}/revoke`, {})).status).toBe(200);
    const revoked = browserWith(r, c.jar(DEVICE_NAME)!);
    const afterRevoke = await revoked.login(e.user);
    expect(afterRevoke).toMatchObject({
      authenticated: false,
      requirement: { action: 'challenge' },
    });
    expect(revoked.jar(DEVICE_NAME)).toBeUndefined();

    r.clock.advance(30_000);
    const { c: again } = await signInRemembering(r, e);
    await r.service.passwordChanged(e.user);
    const stale = browserWith(r, again.jar(DEVICE_NAME)!);
    expect(await stale.login(e.user)).toMatchObject({
      authenticated: false,
      requirement: { action: 'challenge', deviceRejected: 'unknown' },
    });
    expect(stale.jar(DEVICE_NAME)).toBeUndefined();
    expect((await stale.account()).status).toBe(401);
  });

  it('FL-17: a tampered or malformed device cookie never skips the step, is cleared and audited', async () => {
    const r = await open();
    const e = await enrolledUser(r);
    const { c } = await signInRemembering(r, e);
    const token = c.jar(DEVICE_NAME)!;
    const tampered = (token[0] === 'A' ? 'B' : 'A') + token.slice(1);
    for (const value of [tampered, 'not-a-token', token + 'A']) {
      const b = browserWith(r, value);
      const started = await b.login(e.user);
      expect(started).toMatchObject({ authenticated: false, requirement: { action: 'challenge' } });
      expect(b.jar(DEVICE_NAME)).toBeUndefined();
    }
    expect(r.audit.ofType('device.rejected')).toHaveLength(3);
    // The unprefixed name is not ours to read; it is neither trusted nor an error.
    const plain = browserWith(r, token, PLAIN_NAME);
    expect((await plain.login(e.user)).authenticated).toBe(false);
    expect((await browserWith(r, token).login(e.user)).authenticated).toBe(true);
  });

  it("FL-17: a locked account's device cookie does not let it in, and is kept for after the unlock", async () => {
    const r = await open({
      throttle: { maxFailures: 2, freeFailures: 2, permanentLockAfter: 100 },
    });
    const e = await enrolledUser(r);
    const { c } = await signInRemembering(r, e);
    for (let i = 0; i < 3; i++) {
      const { challengeId } = await r.service
        .beginChallenge(e.user)
        .catch(() => ({ challengeId: '' }));
      await r.service.completeChallenge(challengeId, e.user, '000000').catch(() => undefined);
    }
    expect((await r.service.throttleStatus(e.user)).locked).toBe(true);
    const b = browserWith(r, c.jar(DEVICE_NAME)!);
    const started = await b.login(e.user);
    expect(started).toMatchObject({
      authenticated: false,
      requirement: { action: 'challenge', deviceRejected: 'locked' },
    });
    expect(lineFor(started.setCookie, DEVICE_NAME)).toBeUndefined();
    expect(b.jar(DEVICE_NAME)).toBe(c.jar(DEVICE_NAME));
    await r.service.adminUnlock({ actorId: 'admin-1', reason: 'identity checked' }, e.user);
    expect((await browserWith(r, c.jar(DEVICE_NAME)!).login(e.user)).authenticated).toBe(true);
  });

  it('FL-11: after a step-up the device list and revoke-all work from a remembered-device session', async () => {
    const r = await open();
    const e = await enrolledUser(r);
    const { c: first } = await signInRemembering(r, e);
    const again = browserWith(r, first.jar(DEVICE_NAME)!);
    r.clock.advance(30_000);
    expect((await again.login(e.user)).authenticated).toBe(true);
    const listed = (await (await again.get('/2fa/account/devices')).json()) as {
      devices: unknown[];
    };
    expect(listed.devices).toHaveLength(1);
    await stepUp(again, e.code);
    const all = await again.post('/2fa/account/devices/revoke-all', {});
    expect(await all.json()).toEqual({ revoked: 1 });
    expect((await browserWith(r, first.jar(DEVICE_NAME)!).login(e.user)).authenticated).toBe(false);
  });
}
