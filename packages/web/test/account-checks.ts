/** Step-up and the user's own account routes, attacked and used, on any rig. */
import { expect, it } from 'vitest';
import { appFor, enrolledUser, tokenOf } from './rig.js';
import {
  enrollPrompt,
  errorOf,
  signedInSession,
  staleStepUp,
  stepUp,
  type OpenRig,
} from './suite-kit.js';

export function accountChecks(open: OpenRig): void {
  it('FL-01, FL-06: a pending session reaches no account or step-up route, and cannot sign in through one', async () => {
    const r = await open();
    const e = await enrolledUser(r);
    const c = r.client();
    await c.login(e.user);
    const refused = [
      await c.get('/2fa/account/factors'),
      await c.get('/2fa/account/timeline'),
      await c.post('/2fa/account/recovery-codes/regenerate', {}),
      await c.post('/2fa/step-up', {}),
      await c.post('/2fa/step-up/recovery-code', { code: e.recoveryCodes[0] }),
    ];
    for (const res of refused) {
      expect(res.status).toBe(403);
      expect((await errorOf(res)).code).toBe('SECOND_FACTOR_REQUIRED');
    }
    expect((await c.account()).status).toBe(401);
    expect((await r.service.recoveryCodeStatus(e.user)).remaining).toBe(e.recoveryCodes.length);
  });

  it('FL-06: without a recent second factor every account change is STEP_UP_REQUIRED and changes nothing', async () => {
    const r = await open();
    const { user, c } = await signedInSession(r);
    const [factor] = await r.service.listEnrollments(user);
    await r.service.rememberDevice(user, { secondFactorAt: r.clock.now() });
    staleStepUp(r);
    const listed = await c.get('/2fa/account/factors');
    expect(listed.status).toBe(200);
    expect(((await listed.json()) as { stepUp: { recent: boolean } }).stepUp.recent).toBe(false);
    const changes = [
      await c.post(`/2fa/account/factors/${factor!.id}/rename`, { label: 'Stolen' }),
      await c.post(`/2fa/account/factors/${factor!.id}/remove`, {}),
      await c.post('/2fa/account/recovery-codes/regenerate', {}),
      await c.post('/2fa/account/devices/revoke-all', {}),
    ];
    for (const res of changes) {
      expect(res.status).toBe(403);
      expect((await errorOf(res)).code).toBe('STEP_UP_REQUIRED');
    }
    expect(await r.service.listEnrollments(user)).toEqual([factor]);
    expect(await r.service.listTrustedDevices(user)).toHaveLength(1);
    expect(r.audit.ofType('step-up.refused').length).toBeGreaterThanOrEqual(4);
  });

  it('FL-13: a step-up refreshes the second factor without rotating the session or its CSRF token', async () => {
    const r = await open();
    const { user, code, recoveryCodes, c } = await signedInSession(r);
    staleStepUp(r);
    const cookie = c.cookie();
    const token = await tokenOf(c);
    const res = await stepUp(c, code);
    const body = (await res.json()) as { at: number; stepUp: { recent: boolean } };
    expect(body.at).toBe(r.clock.now());
    expect(body.stepUp.recent).toBe(true);
    expect(c.cookie()).toBe(cookie);
    expect((await c.account()).status).toBe(200);
    const regenerated = await c.post('/2fa/account/recovery-codes/regenerate', {}, { csrf: token });
    expect(regenerated.status).toBe(200);
    const fresh = ((await regenerated.json()) as { recoveryCodes: string[] }).recoveryCodes;
    expect(fresh.length).toBeGreaterThan(0);
    // The old set died with the regeneration; the new one works.
    await expect(r.service.useRecoveryCode(user, recoveryCodes[0])).rejects.toMatchObject({
      code: 'INVALID_CODE',
    });
    expect((await r.service.useRecoveryCode(user, fresh[0])).ok).toBe(true);
  });

  it('FL-06: a step-up goes stale like a sign-in: past stepUpSeconds the change is refused again', async () => {
    const r = await open();
    const { user, code, c } = await signedInSession(r);
    staleStepUp(r);
    await stepUp(c, code);
    staleStepUp(r);
    const res = await c.post('/2fa/account/recovery-codes/regenerate', {});
    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe('STEP_UP_REQUIRED');
    expect((await r.service.recoveryCodeStatus(user)).remaining).toBeGreaterThan(0);
  });

  it("FL-05, FL-13: another session's step-up challenge cannot be answered, and a wrong code proves nothing", async () => {
    const r = await open();
    const a = await signedInSession(r);
    const b = await signedInSession(r);
    staleStepUp(r);
    expect((await a.c.post('/2fa/step-up', {})).status).toBe(201);
    const stolen = await b.c.post('/2fa/step-up/answer', { code: a.code() });
    expect((await errorOf(stolen)).code).toBe('CHALLENGE_NOT_FOUND');
    const right = a.code();
    const wrong = await a.c.post('/2fa/step-up/answer', {
      code: right === '000000' ? '111111' : '000000',
    });
    expect(wrong.status).toBe(401);
    const still = await a.c.post('/2fa/account/recovery-codes/regenerate', {});
    expect((await errorOf(still)).code).toBe('STEP_UP_REQUIRED');
  });

  it("EN-08: another user's enrollment id gets the same answer as an unknown one and changes nothing", async () => {
    const r = await open();
    const { c } = await signedInSession(r);
    const other = await enrolledUser(r);
    const [theirs] = await r.service.listEnrollments(other.user);
    const answers = [];
    for (const id of [theirs!.id, 'no-such-enrollment']) {
      for (const action of ['rename', 'remove']) {
        const res = await c.post(`/2fa/account/factors/${id}/${action}`, { label: 'Mine now' });
        const { requestId: _id, ...rest } = await errorOf(res);
        answers.push({ status: res.status, rest });
      }
    }
    expect(answers[0]!.rest.code).toBe('NOT_ENROLLED');
    expect(answers[2]).toEqual(answers[0]);
    expect(answers[3]).toEqual(answers[1]);
    expect(await r.service.listEnrollments(other.user)).toEqual([theirs]);
  });

  it("FL-11: a device is revoked by its owner; another user's device id is refused like an unknown one", async () => {
    const r = await open();
    const { user, c } = await signedInSession(r);
    const other = await enrolledUser(r);
    await r.service.rememberDevice(user, { secondFactorAt: r.clock.now() });
    await r.service.rememberDevice(other.user, { secondFactorAt: r.clock.now() });
    const [theirs] = await r.service.listTrustedDevices(other.user);
    const listed = await c.get('/2fa/account/devices');
    const mine = ((await listed.json()) as { devices: { id: string }[] }).devices;
    expect(mine).toHaveLength(1);
    const foreign = await c.post(`/2fa/account/devices/${theirs!.id}/revoke`, {});
    const unknown = await c.post('/2fa/account/devices/no-such-device/revoke', {});
    expect(foreign.status).toBe(404);
    const { requestId: _a, ...foreignError } = await errorOf(foreign);
    const { requestId: _b, ...unknownError } = await errorOf(unknown);
    expect(foreignError).toEqual(unknownError);
    expect(await r.service.listTrustedDevices(other.user)).toEqual([theirs]);
    expect((await c.post(`/2fa/account/devices/${mine[0]!.id}/revoke`, {})).status).toBe(200);
    expect(await r.service.listTrustedDevices(user)).toEqual([]);
    await r.service.rememberDevice(user, { secondFactorAt: r.clock.now() });
    const all = await c.post('/2fa/account/devices/revoke-all', {});
    expect(await all.json()).toEqual({ revoked: 1 });
  });

  it('FL-12: account changes without the CSRF token are refused and change nothing', async () => {
    const r = await open();
    const { user, c } = await signedInSession(r);
    const [factor] = await r.service.listEnrollments(user);
    const before = await r.service.recoveryCodeStatus(user);
    for (const path of [
      '/2fa/account/recovery-codes/regenerate',
      `/2fa/account/factors/${factor!.id}/remove`,
      '/2fa/step-up',
    ]) {
      const res = await c.post(path, {}, { csrf: null });
      expect(res.status).toBe(403);
      expect((await errorOf(res)).code).toBe('CSRF_INVALID');
    }
    expect(await r.service.listEnrollments(user)).toEqual([factor]);
    expect(await r.service.recoveryCodeStatus(user)).toEqual(before);
  });

  it('FL-06: a signed-in user adds a second factor only after a step-up, then renames and removes one', async () => {
    const r = await open();
    const { user, code, c } = await signedInSession(r);
    staleStepUp(r);
    const refused = await enrollPrompt(c);
    expect((await errorOf(refused)).code).toBe('STEP_UP_REQUIRED');
    await stepUp(c, code);
    const prompt = await enrollPrompt(c);
    expect(prompt.status).toBe(201);
    const app = appFor(((await prompt.json()) as { prompt: unknown }).prompt);
    const added = await c.post('/2fa/enroll/answer', {
      code: app.generate({ timestamp: r.clock.now() }),
      label: 'Spare phone',
    });
    expect(added.status).toBe(201);
    const listed = await c.get('/2fa/account/factors');
    const { factors } = (await listed.json()) as { factors: { id: string; label: string }[] };
    expect(factors.map((f) => f.label)).toContain('Spare phone');
    const first = factors.find((f) => f.label !== 'Spare phone')!;
    const renamed = await c.post(`/2fa/account/factors/${first.id}/rename`, { label: 'Work' });
    expect(renamed.status).toBe(200);
    expect((await c.post(`/2fa/account/factors/${first.id}/remove`, {})).status).toBe(200);
    const left = await r.service.listEnrollments(user);
    expect(left.map((f) => f.label)).toEqual(['Spare phone']);
  });

  it('GET /account/timeline pages the user’s own events and refuses a bad limit', async () => {
    const r = await open();
    const { user, c } = await signedInSession(r);
    const [factor] = await r.service.listEnrollments(user);
    const renamed = await c.post(`/2fa/account/factors/${factor!.id}/rename`, { label: 'Work' });
    expect(renamed.status).toBe(200);
    const page = await c.get('/2fa/account/timeline?limit=1');
    expect(page.status).toBe(200);
    const body = (await page.json()) as { events: { type: string }[]; next: string | null };
    expect(body.events.map((e) => e.type)).toEqual(['enrollment.renamed']);
    expect(body.next).not.toBeNull();
    const older = await c.get(
      `/2fa/account/timeline?limit=1&before=${encodeURIComponent(body.next!)}`,
    );
    const olderEvents = ((await older.json()) as { events: { type: string }[] }).events;
    expect(olderEvents.map((e) => e.type)).toEqual(['activated']);
    const bad = await c.get('/2fa/account/timeline?limit=lots');
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).code).toBe('INVALID_ARGUMENT');
  });
}
