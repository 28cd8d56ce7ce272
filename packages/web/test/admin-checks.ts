/** The admin routes behind the host's authorizer, attacked and used, on any rig. */
import { expect, it } from 'vitest';
import { enrolledUser } from './rig.js';
import { errorOf, signedInSession, staleStepUp, stepUp, type OpenRig } from './suite-kit.js';

export function adminChecks(open: OpenRig): void {
  it('FL-14: without the host authorizer the admin routes are a 404 like any unknown route', async () => {
    const r = await open();
    const { user, c } = await signedInSession(r);
    for (const res of [
      await c.get(`/2fa/admin/users/${user.id}/status`),
      await c.post(`/2fa/admin/users/${user.id}/reset`, { reason: 'lost phone' }),
    ]) {
      expect(res.status).toBe(404);
      expect((await errorOf(res)).code).toBe('NOT_FOUND');
    }
    expect(await r.service.listEnrollments(user)).toHaveLength(1);
  });

  it('FL-14: a caller the authorizer refuses gets the same 404 for a real user as for an unknown id', async () => {
    const r = await open({ admins: new Set() });
    const { c } = await signedInSession(r);
    const target = await enrolledUser(r);
    const answers: unknown[] = [];
    for (const id of [target.user.id, 'nobody-by-this-id']) {
      for (const res of [
        await c.get(`/2fa/admin/users/${id}/status`),
        await c.post(`/2fa/admin/users/${id}/reset`, { reason: 'lost phone' }),
        await c.post(`/2fa/admin/users/${id}/unlock`, { reason: 'locked out' }),
      ]) {
        const { requestId: _id, ...rest } = await errorOf(res);
        answers.push({ status: res.status, rest });
      }
    }
    expect(answers[0]).toEqual({
      status: 404,
      rest: { code: 'NOT_FOUND', message: 'No such user.' },
    });
    expect(answers.every((a) => JSON.stringify(a) === JSON.stringify(answers[0]))).toBe(true);
    expect(await r.service.listEnrollments(target.user)).toHaveLength(1);
    expect(r.audit.ofType('admin.reset')).toEqual([]);
  });

  it('FL-14: a pending admin session is refused before the authorizer is asked', async () => {
    const admins = new Set<string>();
    const r = await open({ admins });
    const admin = await enrolledUser(r);
    admins.add(admin.user.id);
    const c = r.client();
    await c.login(admin.user);
    const res = await c.post(`/2fa/admin/users/${admin.user.id}/reset`, { reason: 'self' });
    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe('SECOND_FACTOR_REQUIRED');
    expect(await r.service.listEnrollments(admin.user)).toHaveLength(1);
  });

  it('FL-14: a reset needs the admin to step up, then removes every factor and audits the actor', async () => {
    const admins = new Set<string>();
    const r = await open({ admins });
    const admin = await signedInSession(r);
    admins.add(admin.user.id);
    const target = await enrolledUser(r);
    staleStepUp(r);
    const path = `/2fa/admin/users/${target.user.id}/reset`;
    const stale = await admin.c.post(path, { reason: 'lost phone' });
    expect((await errorOf(stale)).code).toBe('STEP_UP_REQUIRED');
    expect(await r.service.listEnrollments(target.user)).toHaveLength(1);
    await stepUp(admin.c, admin.code);
    const noReason = await admin.c.post(path, {});
    expect((await errorOf(noReason)).code).toBe('INVALID_JSON');
    const done = await admin.c.post(path, { reason: 'lost phone' });
    expect(done.status).toBe(200);
    expect(await done.json()).toEqual({ ok: true, enrollmentsRemoved: 1, devicesRevoked: 0 });
    expect(await r.service.listEnrollments(target.user)).toEqual([]);
    expect(r.audit.ofType('admin.reset')).toEqual([
      expect.objectContaining({
        userId: target.user.id,
        actorId: `admin:${admin.user.id}`,
        reason: 'lost phone',
      }),
    ]);
    const unknown = await admin.c.post('/2fa/admin/users/nobody-by-this-id/reset', {
      reason: 'lost phone',
    });
    expect(unknown.status).toBe(404);
  });

  it('BF-06, FL-14: an unlock by a stepped-up admin lifts a lockout; the status shows it and no secret', async () => {
    const admins = new Set<string>();
    const r = await open({
      admins,
      throttle: { maxFailures: 3, freeFailures: 3, permanentLockAfter: 3 },
    });
    const admin = await signedInSession(r);
    admins.add(admin.user.id);
    const target = await enrolledUser(r);
    const foreign = (await enrolledUser(r)).recoveryCodes[0];
    for (let i = 0; i < 3; i++)
      await r.service.useRecoveryCode(target.user, foreign).catch(() => undefined);
    expect((await r.service.throttleStatus(target.user)).locked).toBe(true);
    const statusPath = `/2fa/admin/users/${target.user.id}/status`;
    const before = await admin.c.get(statusPath);
    expect(before.status).toBe(200);
    const text = await before.text();
    expect(JSON.parse(text)).toMatchObject({
      userId: target.user.id,
      throttle: { locked: true, retryAfter: null },
      recoveryCodes: { remaining: target.recoveryCodes.length },
    });
    for (const code of target.recoveryCodes) expect(text).not.toContain(code);
    expect(text).not.toMatch(/secret|otpauth/i);
    await stepUp(admin.c, admin.code);
    const unlocked = await admin.c.post(`/2fa/admin/users/${target.user.id}/unlock`, {
      reason: 'verified by phone',
    });
    expect(unlocked.status).toBe(200);
    const after = (await (await admin.c.get(statusPath)).json()) as {
      throttle: { locked: boolean };
    };
    expect(after.throttle.locked).toBe(false);
    expect(r.audit.ofType('admin.unlocked')).toEqual([
      expect.objectContaining({ userId: target.user.id, actorId: `admin:${admin.user.id}` }),
    ]);
    expect((await r.service.useRecoveryCode(target.user, target.recoveryCodes[0])).ok).toBe(true);
  });
}
