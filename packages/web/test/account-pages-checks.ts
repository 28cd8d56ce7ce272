/**
 * The account pages ("Security settings", "Confirm it's you") attacked over form posts, on any
 * rig: a pending session (FL-06), CSRF (FL-12), a stale second factor (FL-13), another user's ids
 * (EN-08, FL-11), policy's say over removal and turning 2FA off (EN-08).
 */
import { expect, it } from 'vitest';
import { csrfOf, postForm } from './pages-kit.js';
import { enrolledUser, type Client, type Rig } from './rig.js';
import { signedInSession, staleStepUp, type OpenRig } from './suite-kit.js';

const PAGES = { pages: { afterSignIn: '/home', signOutUrl: '/logout' } };

/** The account page's HTML (it must be the page, not a redirect). */
export async function accountHtml(c: Client, query = ''): Promise<string> {
  const res = await c.get(`/2fa/account${query}`);
  expect(res.status).toBe(200);
  return res.text();
}

/** The one-shot message on the account page: the alert's or the status's text. */
function messageOf(html: string): string | undefined {
  return /<p id="(?:form-error|notice)" role="(?:alert|status)">([^<]*)<\/p>/.exec(html)?.[1];
}

/** Every change of the account pages, for a user's first factor and first device. */
function changes(factorId: string, deviceId: string): string[] {
  return [
    `/2fa/page/account/factors/${factorId}/rename`,
    `/2fa/page/account/factors/${factorId}/remove`,
    '/2fa/page/account/recovery-codes',
    `/2fa/page/account/devices/${deviceId}/forget`,
    '/2fa/page/account/devices/forget-all',
    '/2fa/page/account/turn-off',
    '/2fa/page/account/enroll/totp',
  ];
}

/** What a refused change must leave as it was. */
async function snapshot(r: Rig, user: Parameters<Rig['service']['listEnrollments']>[0]) {
  return {
    factors: await r.service.listEnrollments(user),
    codes: await r.service.recoveryCodeStatus(user),
    devices: (await r.service.listTrustedDevices(user)).map((d) => d.id),
  };
}

/** A signed-in user with a remembered device, on a rig with the pages. */
async function signedInWithDevice(r: Rig) {
  const e = await signedInSession(r);
  await r.service.rememberDevice(e.user, { secondFactorAt: r.clock.now() });
  const [factor] = await r.service.listEnrollments(e.user);
  const [device] = await r.service.listTrustedDevices(e.user);
  return { ...e, factor: factor!, device: device! };
}

/** "Confirm it's you" through the pages: choose the factor, type its code. */
export async function pageStepUp(c: Client, code: () => string): Promise<Response> {
  const chooser = await c.get('/2fa/account/step-up');
  expect(chooser.status).toBe(200);
  const html = await chooser.text();
  const enrollmentId = /name="enrollmentId" value="([^"]+)"/.exec(html)![1]!;
  const begun = await postForm(c, '/2fa/page/account/step-up', {
    _csrf: csrfOf(html),
    enrollmentId,
  });
  expect(begun.headers.get('location')).toBe('/2fa/account/step-up');
  const prompt = await (await c.get('/2fa/account/step-up')).text();
  expect(prompt).toContain('action="/2fa/page/account/step-up/answer"');
  return postForm(c, '/2fa/page/account/step-up/answer', { _csrf: csrfOf(prompt), code: code() });
}

export function accountPageChecks(open: OpenRig): void {
  it('FL-06: a pending session gets no account page and its posts change nothing', async () => {
    const r = await open(PAGES);
    const e = await enrolledUser(r);
    const c = r.client();
    await c.login(e.user);
    for (const path of ['/2fa/account', '/2fa/account/step-up', '/2fa/account/enroll']) {
      const res = await c.get(path);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/2fa/');
    }
    const chooser = await (await c.get('/2fa/')).text();
    const [factor] = await r.service.listEnrollments(e.user);
    const before = await snapshot(r, e.user);
    for (const path of changes(factor!.id, 'dev')) {
      const res = await postForm(c, path, { _csrf: csrfOf(chooser), label: 'Mine' });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/2fa/');
    }
    expect(await snapshot(r, e.user)).toEqual(before);
    expect(await (await c.get('/2fa/')).text()).toContain('Confirm your second factor first.');
    // No session at all: the 401 "Sign in first" page.
    const stranger = r.client();
    const res = await stranger.get('/2fa/account');
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('Sign in first');
  });

  it('FL-12: every account post without, with a wrong or with another session’s _csrf is refused and changes nothing', async () => {
    const r = await open({ ...PAGES, clientPolicy: { force: false } });
    const { user, c, factor, device } = await signedInWithDevice(r);
    const other = await signedInSession(r);
    const otherToken = csrfOf(await accountHtml(other.c));
    const before = await snapshot(r, user);
    const paths = [
      ...changes(factor.id, device.id),
      '/2fa/page/account/enroll/answer',
      '/2fa/page/account/step-up',
      '/2fa/page/account/step-up/answer',
      '/2fa/page/account/step-up/recovery',
    ];
    for (const path of paths)
      for (const token of [undefined, 'forged-token', otherToken]) {
        const fields = { label: 'Stolen', code: '000000', enrollmentId: factor.id };
        const res = await postForm(
          c,
          path,
          token === undefined ? fields : { ...fields, _csrf: token },
        );
        expect(res.status, path).toBe(403);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('CSRF_INVALID');
      }
    expect(await snapshot(r, user)).toEqual(before);
  });

  it('FL-13: with a stale second factor no change is made, each leads to the step-up, and after it the change works', async () => {
    const r = await open({ ...PAGES, clientPolicy: { force: false } });
    const { user, code, c, factor, device } = await signedInWithDevice(r);
    staleStepUp(r);
    const token = csrfOf(await accountHtml(c));
    const before = await snapshot(r, user);
    const refusedBefore = r.audit.ofType('step-up.refused').length;
    for (const path of changes(factor.id, device.id)) {
      const res = await postForm(c, path, { _csrf: token, label: 'Stolen' });
      expect(res.status, path).toBe(303);
      expect(res.headers.get('location'), path).toBe('/2fa/account/step-up');
    }
    expect(await snapshot(r, user)).toEqual(before);
    expect(r.audit.ofType('step-up.refused').length - refusedBefore).toBe(7);
    const chooser = await (await c.get('/2fa/account/step-up')).text();
    expect(chooser).toContain('<h1>Confirm it’s you</h1>');
    expect(chooser).toContain('Confirm your second factor again first.');
    const cookie = c.cookie();
    const answered = await pageStepUp(c, code);
    expect(answered.headers.get('location')).toBe('/2fa/account');
    // The session keeps its id and its CSRF secret (FL-13): the rename below uses the old token.
    expect(c.cookie()).toBe(cookie);
    const settings = await accountHtml(c);
    expect(messageOf(settings)).toBe('Thank you, it is confirmed. Now make your change.');
    const renamed = await postForm(c, `/2fa/page/account/factors/${factor.id}/rename`, {
      _csrf: token,
      label: 'Phone',
    });
    expect(renamed.headers.get('location')).toBe('/2fa/account');
    expect((await r.service.listEnrollments(user))[0]!.label).toBe('Phone');
    expect(messageOf(await accountHtml(c))).toBe('The method was renamed.');
  });

  it('FL-13: a wrong step-up code is refused on the prompt, and the change stays refused', async () => {
    const r = await open(PAGES);
    const { c, factor, user } = await signedInWithDevice(r);
    staleStepUp(r);
    const answered = await pageStepUp(c, () => '000000');
    expect(answered.headers.get('location')).toBe('/2fa/account/step-up');
    const again = await (await c.get('/2fa/account/step-up')).text();
    expect(again).toContain('That code is not correct. Try again.');
    expect(again).toContain('aria-describedby="form-error');
    const token = csrfOf(again);
    const res = await postForm(c, `/2fa/page/account/factors/${factor.id}/remove`, {
      _csrf: token,
    });
    expect(res.headers.get('location')).toBe('/2fa/account/step-up');
    expect(await r.service.listEnrollments(user)).toHaveLength(1);
  });

  it('EN-08, FL-11: another user’s factor id and device id are refused like unknown ones', async () => {
    const r = await open({ ...PAGES, clientPolicy: { force: false } });
    const { c } = await signedInSession(r);
    const victim = await signedInWithDevice(r);
    const token = csrfOf(await accountHtml(c));
    const victimBefore = await snapshot(r, victim.user);
    const flashes: Record<string, (string | undefined)[]> = { factor: [], device: [] };
    for (const id of [victim.factor.id, 'unknown-id']) {
      for (const action of ['rename', 'remove']) {
        const res = await postForm(c, `/2fa/page/account/factors/${id}/${action}`, {
          _csrf: token,
          label: 'Taken',
        });
        expect(res.headers.get('location')).toBe('/2fa/account');
        flashes.factor!.push(messageOf(await accountHtml(c)));
      }
      const res = await postForm(c, `/2fa/page/account/devices/${id}/forget`, { _csrf: token });
      expect(res.headers.get('location')).toBe('/2fa/account');
      flashes.device!.push(messageOf(await accountHtml(c)));
    }
    expect(new Set(flashes.factor)).toEqual(new Set(['You have not set up this method.']));
    expect(new Set(flashes.device)).toEqual(new Set(['There is no such page.']));
    expect(await snapshot(r, victim.user)).toEqual(victimBefore);
  });

  it('EN-08: while 2FA is forced the last factor cannot be removed, turning off is not offered, and a forged turn-off is refused', async () => {
    const r = await open(PAGES);
    const { user, c, factor } = await signedInWithDevice(r);
    const html = await accountHtml(c);
    expect(html).not.toContain('/2fa/page/account/turn-off');
    expect(html).not.toContain('Turn off two-factor authentication');
    const token = csrfOf(html);
    const removed = await postForm(c, `/2fa/page/account/factors/${factor.id}/remove`, {
      _csrf: token,
    });
    expect(removed.headers.get('location')).toBe('/2fa/account');
    expect(messageOf(await accountHtml(c))).toBe('Your account may not sign in this way.');
    const forged = await postForm(c, '/2fa/page/account/turn-off', { _csrf: token });
    expect(forged.headers.get('location')).toBe('/2fa/account');
    expect(messageOf(await accountHtml(c))).toBe('Your account may not sign in this way.');
    expect(await r.service.listEnrollments(user)).toEqual([factor]);
    expect(r.audit.ofType('deactivated')).toHaveLength(0);
  });

  it('EN-08: where policy allows, turning off is offered and removes every factor and code', async () => {
    const r = await open({ ...PAGES, clientPolicy: { force: false } });
    const { user, c } = await signedInWithDevice(r);
    const html = await accountHtml(c);
    expect(html).toContain('<form method="post" action="/2fa/page/account/turn-off">');
    const res = await postForm(c, '/2fa/page/account/turn-off', { _csrf: csrfOf(html) });
    expect(res.headers.get('location')).toBe('/2fa/account');
    const after = await accountHtml(c);
    expect(messageOf(after)).toBe('Two-factor authentication is off.');
    expect(after).toContain('You have no second sign-in method.');
    expect(after).not.toContain('/2fa/page/account/turn-off');
    const left = await snapshot(r, user);
    expect(left.factors).toEqual([]);
    expect(left.codes.remaining).toBe(0);
    expect(left.devices).toEqual([]);
  });

  it('without allowUserDisable no factor has a Remove button, and a forged removal is refused', async () => {
    const r = await open({ ...PAGES, clientPolicy: { force: false, allowUserDisable: false } });
    const { user, c, factor } = await signedInWithDevice(r);
    const html = await accountHtml(c);
    expect(html).not.toContain('/remove"');
    expect(html).not.toContain('/2fa/page/account/turn-off');
    const res = await postForm(c, `/2fa/page/account/factors/${factor.id}/remove`, {
      _csrf: csrfOf(html),
    });
    expect(res.headers.get('location')).toBe('/2fa/account');
    expect(await r.service.listEnrollments(user)).toEqual([factor]);
  });
}
