// A browser that opens a 2FA page with no second step to take gets an HTML 401 page with the way
// back to the host's sign-in (page mode); JSON clients, and every route without pages, keep the
// JSON refusal. On the fetch handler and over HTTP through both adapters.
import { describe, expect, it } from 'vitest';
import { directRig } from './direct-rig.js';
import { expressRig } from './express-rig.js';
import { fastifyRig } from './fastify-rig.js';
import { postForm } from './pages-kit.js';
import { enrolledUser, testUser } from './rig.js';
import { errorOf, signedInSession, useRig } from './suite-kit.js';

const PAGES = { signInUrl: '/login?next=%2F2fa%2F', signOutUrl: '/logout' } as const;

async function expectSignInPage(res: Response, lang: 'en' | 'de' = 'en'): Promise<string> {
  expect(res.status).toBe(401);
  expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  expect(res.headers.get('x-request-id')).toMatch(/\S/);
  const csp = res.headers.get('content-security-policy')!;
  expect(csp).toMatch(/default-src 'none'/);
  expect(csp).toContain("frame-ancestors 'none'");
  const html = await res.text();
  expect(html).toContain(`<html lang="${lang}">`);
  expect(html.match(/<h1>/g)).toHaveLength(1);
  // The host's URL, escaped as an attribute; the visitor has nothing to sign out of.
  expect(html).toContain('href="/login?next=%2F2fa%2F"');
  expect(html).not.toContain('/logout');
  expect(html).not.toContain('name="_csrf"');
  return html;
}

describe.each([
  ['fetch handler', directRig],
  ['Express over HTTP', expressRig],
  ['Fastify over HTTP', fastifyRig],
])('the 401 sign-in page (%s)', (_name, make) => {
  const open = useRig(make);

  it('FL-01: page mode: a visitor without a session gets the sign-in page on every page route', async () => {
    const r = await open({ pages: PAGES });
    const c = r.client();
    const html = await expectSignInPage(await c.get('/2fa/'));
    expect(html).toContain('<h1>Sign in first</h1>');
    expect(html).toContain('Sign in with your password first.');
    expect(html).toMatch(/<a class="button" href="[^"]+" autofocus>Go to the sign-in page<\/a>/);
    await expectSignInPage(await c.get('/2fa/recovery'));
    // A form posted after the pending step expired: a page too, and nothing was started.
    const posted = await postForm(c, '/2fa/page/challenge', { _csrf: 'x', enrollmentId: 'y' });
    await expectSignInPage(posted);
  });

  it('page mode: in German for Accept-Language: de', async () => {
    const r = await open({ pages: PAGES });
    const html = await expectSignInPage(
      await r.client().get('/2fa/', { 'accept-language': 'de-DE,de;q=0.9' }),
      'de',
    );
    expect(html).toContain('<h1>Zuerst anmelden</h1>');
    expect(html).toContain('Zur Anmeldeseite');
    expect(html).toContain('Melden Sie sich zuerst mit Ihrem Passwort an.');
  });

  it('RP-06: page mode: the cookie from before the second factor opens the sign-in page, nothing else', async () => {
    const r = await open({ pages: PAGES });
    const e = await enrolledUser(r);
    const c = r.client();
    await c.login(e.user);
    const pendingId = c.cookie();
    expect((await c.post('/2fa/challenge', {})).status).toBe(201);
    expect((await c.post('/2fa/challenge/answer', { code: e.code() })).status).toBe(200);
    const thief = r.client();
    thief.setCookie(pendingId);
    await expectSignInPage(await thief.get('/2fa/'));
  });

  it('FL-01: page mode: coming back from Duo with the session lost shows the sign-in page; API mode keeps JSON', async () => {
    const callback = '/2fa/callback/duo?state=s&duo_code=c';
    const paged = await open({ pages: PAGES });
    await expectSignInPage(await paged.client().get(callback));
    const api = await open();
    const res = await api.client().get(callback);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect((await errorOf(res)).code).toBe('NO_SECOND_STEP');
  });

  it('page mode: the JSON routes still answer JSON 401 NO_SECOND_STEP', async () => {
    const r = await open({ pages: PAGES });
    const c = r.client();
    for (const res of [
      await c.get('/2fa/requirement'),
      await c.post('/2fa/recovery-code', { code: 'x' }, { csrf: null }),
    ]) {
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect((await errorOf(res)).code).toBe('NO_SECOND_STEP');
    }
  });

  it('page mode: a pending or signed-in session is not sent to the sign-in page', async () => {
    const r = await open({ pages: PAGES });
    const c = r.client();
    await c.login(testUser({ audience: 'client' }));
    const pending = await c.get('/2fa/');
    expect(pending.status).toBe(200);
    expect(await pending.text()).toContain('Set up two-factor authentication');
    const { c: signedIn } = await signedInSession(r);
    const home = await signedIn.get('/2fa/');
    expect(home.status).toBe(303);
  });

  it('API mode: without pages there is no page route, and the JSON refusal stays', async () => {
    const r = await open();
    const c = r.client();
    const page = await c.get('/2fa/');
    expect(page.status).toBe(404);
    expect((await errorOf(page)).code).toBe('NOT_FOUND');
    const res = await c.get('/2fa/requirement');
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect((await errorOf(res)).code).toBe('NO_SECOND_STEP');
  });
});
