// The server-rendered pages on the fetch handler: forms, escaping, languages, CSRF on form posts,
// one-shot flash messages. The browser walk-through is pages-browser.e2e.test.ts.
import { describe, expect, it } from 'vitest';
import { API_ERROR_CODES, BUILT_IN_CATALOGS } from '../src/index.js';
import { retryText } from '../src/pages/locale.js';
import { directRig } from './direct-rig.js';
import { beginPageChallenge, csrfOf, labelledUser, postForm } from './pages-kit.js';
import { useRig } from './suite-kit.js';

const open = useRig(directRig);
const withPages = () => open({ pages: { afterSignIn: '/home', signOutUrl: '/logout' } });

describe('server-rendered pages', () => {
  it('the chooser is a form with a CSRF field, escapes a hostile label and has its own CSP', async () => {
    const r = await withPages();
    const e = await labelledUser(r, '<script>alert(1)</script>');
    const c = r.client();
    await c.login(e.user);
    const res = await c.get('/2fa/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/default-src 'none'.*img-src data:.*style-src 'nonce-[^']+'/);
    expect(csp).toContain("form-action 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    const html = await res.text();
    expect(html).toContain('<form method="post" action="/2fa/page/challenge">');
    expect(html).toMatch(/<input type="hidden" name="_csrf" value="[^"]+">/);
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('Use &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<a href="/logout">Sign out</a>');
    expect(html).toContain('<a href="/2fa/recovery">');
    expect(html.match(/<h1>/g)).toHaveLength(1);
  });

  it('the code form is labelled, numeric, one-time-code, focused, and signs in with a 303', async () => {
    const r = await withPages();
    const e = await labelledUser(r, 'phone');
    const c = r.client();
    await c.login(e.user);
    const html = await beginPageChallenge(c);
    expect(html).toContain('<label for="code">Code</label>');
    expect(html).toMatch(
      /<input id="code" name="code" type="text" required autofocus autocomplete="one-time-code" inputmode="numeric" pattern="\[0-9\]\{6\}"/,
    );
    const res = await postForm(c, '/2fa/page/challenge/answer', {
      _csrf: csrfOf(html),
      code: e.code(),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/home');
    expect((await c.account()).status).toBe(200);
    expect(r.signedIn).toHaveLength(1);
  });

  it('German for Accept-Language: de, English for a language without a catalog', async () => {
    const r = await withPages();
    const e = await labelledUser(r, 'phone');
    const c = r.client();
    await c.login(e.user);
    const de = await (await c.get('/2fa/', { 'accept-language': 'fr;q=0.9, de;q=0.8' })).text();
    expect(de).toContain('<html lang="de">');
    expect(de).toContain('<h1>Bestätigen Sie, dass Sie es sind</h1>');
    expect(de).toContain('Abmelden');
    const en = await (await c.get('/2fa/', { 'accept-language': 'fr' })).text();
    expect(en).toContain('<html lang="en">');
  });

  it('a host adds a language and replaces a template', async () => {
    const r = await open({
      pages: {
        locales: { fr: { chooserTitle: 'Confirmez que c’est vous' } },
        templates: { denied: () => '<h1>custom</h1>' },
      },
    });
    const e = await labelledUser(r, 'phone');
    const c = r.client();
    await c.login(e.user);
    const fr = await (await c.get('/2fa/', { 'accept-language': 'fr' })).text();
    expect(fr).toContain('<h1>Confirmez que c’est vous</h1>');
    // Messages the host left out come from English.
    expect(fr).toContain('Use a recovery code instead');
  });

  it('FL-12: a form post without _csrf, with a forged one or another session’s is refused and does nothing', async () => {
    const r = await withPages();
    const e = await labelledUser(r, 'phone');
    const c = r.client();
    await c.login(e.user);
    const other = r.client();
    await other.login((await labelledUser(r, 'other')).user);
    const othersToken = csrfOf(await (await other.get('/2fa/')).text());
    const chooser = await (await c.get('/2fa/')).text();
    const enrollmentId = /name="enrollmentId" value="([^"]+)"/.exec(chooser)![1]!;
    for (const token of [undefined, '', 'forged', othersToken]) {
      const fields: Record<string, string> =
        token === undefined ? { enrollmentId } : { _csrf: token, enrollmentId };
      const res = await postForm(c, '/2fa/page/challenge', fields);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('CSRF_INVALID');
    }
    // No challenge was begun: the page is still the chooser.
    expect(await (await c.get('/2fa/')).text()).toContain('action="/2fa/page/challenge"');
    // A JSON route does not take the form field instead of the header.
    const json = await c.post('/2fa/challenge', `_csrf=${csrfOf(chooser)}`, {
      csrf: null,
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(json.status).toBe(403);
  });

  it('a wrong code comes back once as a flash message on the page, never in the URL', async () => {
    const r = await withPages();
    const e = await labelledUser(r, 'phone');
    const c = r.client();
    await c.login(e.user);
    const html = await beginPageChallenge(c);
    const wrong = e.code() === '000000' ? '111111' : '000000';
    const res = await postForm(c, '/2fa/page/challenge/answer', {
      _csrf: csrfOf(html),
      code: wrong,
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/2fa/');
    const shown = await (await c.get('/2fa/')).text();
    expect(shown).toContain(
      '<p id="form-error" role="alert">That code is not correct. Try again.</p>',
    );
    expect(shown).toContain('aria-describedby="form-error code-hint"');
    // Still the challenge form, and the message is gone on the next view.
    const again = await (await c.get('/2fa/')).text();
    expect(again).toContain('id="code"');
    expect(again).not.toContain('role="alert"');
  });

  it('a locked-out user sees when to try again', async () => {
    const r = await open({
      pages: {},
      throttle: { maxFailures: 2, freeFailures: 2, permanentLockAfter: 100 },
    });
    const e = await labelledUser(r, 'phone');
    const c = r.client();
    await c.login(e.user);
    let html = await beginPageChallenge(c);
    for (let i = 0; i < 3; i++) {
      await postForm(c, '/2fa/page/challenge/answer', { _csrf: csrfOf(html), code: '000000' });
      html = await (await c.get('/2fa/')).text();
    }
    expect(html).toMatch(
      /role="alert">[^<]*Try again (in \d+ (minute|second)s?|at \d\d:\d\d UTC)\./,
    );
  });
});

describe('message catalogs', () => {
  it('every catalog has a message for every error code the routes can answer with', () => {
    for (const [tag, catalog] of Object.entries(BUILT_IN_CATALOGS)) {
      for (const code of API_ERROR_CODES)
        expect(catalog.errors[code], `${tag} ${code}`).toBeTruthy();
      expect(Object.keys(catalog.errors).sort()).toEqual([...API_ERROR_CODES].sort());
    }
  });

  it('retryAfter is worded as a time from now, or a clock time when it is far', () => {
    const { en, de } = BUILT_IN_CATALOGS;
    const now = Date.UTC(2026, 0, 5, 10, 0, 0);
    expect(retryText({ code: 'LOCKED', retryAfter: 180 }, en!, 'en', now, 'UTC')).toBe(
      'Try again in 3 minutes.',
    );
    expect(retryText({ code: 'LOCKED', retryAfter: 180 }, de!, 'de', now, 'UTC')).toBe(
      'Versuchen Sie es in 3 Minuten erneut.',
    );
    expect(retryText({ code: 'RATE_LIMITED', retryAfter: 20 }, en!, 'en', now, 'UTC')).toBe(
      'Try again in 20 seconds.',
    );
    expect(
      retryText({ code: 'LOCKED', retryAfter: 2 * 3600 + 42 * 60 }, en!, 'en', now, 'UTC'),
    ).toBe('Try again at 12:42 PM UTC.');
    expect(retryText({ code: 'LOCKED', retryAfter: null }, en!, 'en', now, 'UTC')).toBe(
      'An administrator must unlock your account.',
    );
    expect(retryText({ code: 'INVALID_CODE' }, en!, 'en', now, 'UTC')).toBeUndefined();
  });
});
