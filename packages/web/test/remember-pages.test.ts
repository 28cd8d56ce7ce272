// "Remember this device" on the server-rendered code page (SECURITY.md FL-16): an unticked,
// labelled checkbox, offered only where remembering can work; ticked, the sign-in's 303 sets the
// cookie; unticked, nothing is remembered. The browser walk-through is
// remember-device-browser.e2e.test.ts.
import { describe, expect, it } from 'vitest';
import { directRig } from './direct-rig.js';
import { beginPageChallenge, csrfOf, labelledUser, postForm } from './pages-kit.js';
import type { RigOptions } from './rig.js';
import { useRig } from './suite-kit.js';

const open = useRig(directRig);
const withPages = (options: RigOptions = {}) =>
  open({ pages: { afterSignIn: '/home' }, ...options });

const CHECKBOX =
  '<input type="checkbox" id="remember-device" name="rememberDevice" value="1">' +
  '<label for="remember-device">Remember this device for 30 days</label>';

describe('remember this device on the code page', () => {
  it('FL-16: the box is offered unticked and labelled; ticked, the sign-in sets the cookie', async () => {
    const r = await withPages();
    const e = await labelledUser(r, 'phone');
    const c = r.client();
    await c.login(e.user);
    const html = await beginPageChallenge(c);
    expect(html).toContain(CHECKBOX);
    const res = await postForm(c, '/2fa/page/challenge/answer', {
      _csrf: csrfOf(html),
      code: e.code(),
      rememberDevice: '1',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/home');
    const line = res.headers.getSetCookie().find((l) => l.startsWith('__Host-factorkit_device='));
    expect(line).toMatch(/; HttpOnly; Secure; SameSite=Strict$/);
    expect(await r.service.listTrustedDevices(e.user)).toHaveLength(1);
    expect((await c.login(e.user)).authenticated).toBe(true);
  });

  it('FL-16: unticked, nothing is remembered', async () => {
    const r = await withPages();
    const e = await labelledUser(r, 'phone');
    const c = r.client();
    await c.login(e.user);
    const html = await beginPageChallenge(c);
    const res = await postForm(c, '/2fa/page/challenge/answer', {
      _csrf: csrfOf(html),
      code: e.code(),
    });
    expect(res.status).toBe(303);
    expect(res.headers.getSetCookie().some((l) => l.startsWith('__Host-factorkit_device='))).toBe(
      false,
    );
    expect(await r.service.listTrustedDevices(e.user)).toEqual([]);
  });

  it.each([
    ['the host turned it off', { rememberDevice: false as const }],
    ['the audience remembers no device', { rememberDeviceDays: 0 }],
  ])('FL-16: no box where %s, and a forged field remembers nothing', async (_why, options) => {
    const r = await withPages(options);
    const e = await labelledUser(r, 'phone');
    const c = r.client();
    await c.login(e.user);
    const html = await beginPageChallenge(c);
    expect(html).not.toContain('rememberDevice');
    const res = await postForm(c, '/2fa/page/challenge/answer', {
      _csrf: csrfOf(html),
      code: e.code(),
      rememberDevice: '1',
    });
    expect(res.status).toBe(303);
    expect(res.headers.getSetCookie().some((l) => l.includes('factorkit_device='))).toBe(false);
    expect(await r.service.listTrustedDevices(e.user)).toEqual([]);
  });

  it('the German catalog words the box', async () => {
    const r = await withPages();
    const e = await labelledUser(r, 'phone');
    const c = r.client();
    await c.login(e.user);
    const chooser = await (await c.get('/2fa/', { 'accept-language': 'de' })).text();
    const enrollmentId = /name="enrollmentId" value="([^"]+)"/.exec(chooser)![1]!;
    await postForm(c, '/2fa/page/challenge', { _csrf: csrfOf(chooser), enrollmentId });
    const html = await (await c.get('/2fa/', { 'accept-language': 'de' })).text();
    expect(html).toContain('Dieses Gerät 30 Tage lang merken');
  });
});
