// The account pages ("Security settings") over form posts: attacked on the fetch handler and
// through Express 5 (account-pages-checks.ts), and used on the fetch handler (here): what the
// page shows, adding a factor, new recovery codes shown once, the activity pages, the catalogs.
// The keyboard walk-through in Chromium is account-pages-browser.e2e.test.ts.
import * as OTPAuth from 'otpauth';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_CATALOGS } from '../src/index.js';
import { accountHtml, accountPageChecks, pageStepUp } from './account-pages-checks.js';
import { directRig } from './direct-rig.js';
import { expressRig } from './express-rig.js';
import { csrfOf, labelledUser, postForm } from './pages-kit.js';
import { signedInSession, staleStepUp, useRig } from './suite-kit.js';

describe('account pages, attacked (fetch handler)', () => accountPageChecks(useRig(directRig)));
describe('account pages, attacked (Express 5)', () => accountPageChecks(useRig(expressRig)));

const open = useRig(directRig);
const withPages = () => open({ pages: { afterSignIn: '/home', signOutUrl: '/logout' } });

describe('account pages, used', () => {
  it('shows the factors, codes, devices and activity, escaped, with one h1 and the page CSP', async () => {
    const r = await withPages();
    const e = await labelledUser(r, '<img src=x onerror=alert(1)>');
    const c = r.client();
    await c.login(e.user);
    const started = await c.post('/2fa/challenge', {});
    expect(started.status).toBe(201);
    expect((await c.post('/2fa/challenge/answer', { code: e.code() })).status).toBe(200);
    const res = await c.get('/2fa/account');
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'nonce-[^']+'/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html.match(/<h1>/g)).toHaveLength(1);
    expect(html).toContain('<h1>Security settings</h1>');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain(
      '<strong>&lt;img src=x onerror=alert(1)&gt;</strong> (authenticator app)',
    );
    expect(html).toMatch(/<label for="factor-label-0">New name for &lt;img/);
    expect(html).toContain('Recovery codes left: 10.');
    expect(html).toContain('No device is remembered.');
    expect(html).toContain('Method added (authenticator app)');
    expect(html).toContain('<form method="post" action="/2fa/page/account/enroll/totp">');
    expect(html).toContain('<a href="/logout">Sign out</a>');
  });

  it('adds a second authenticator from the manual key, retries a wrong code, and returns to the settings', async () => {
    const r = await withPages();
    const { user, c } = await signedInSession(r);
    const token = csrfOf(await accountHtml(c));
    const begun = await postForm(c, '/2fa/page/account/enroll/totp', { _csrf: token });
    expect(begun.headers.get('location')).toBe('/2fa/account/enroll');
    const page = await (await c.get('/2fa/account/enroll')).text();
    expect(page).toContain('action="/2fa/page/account/enroll/answer"');
    const key = /id="manual-key">([^<]+)</.exec(page)![1]!;
    // The person types the key shown for manual entry into their app.
    const app = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(key.replace(/\s+/g, '')) });
    const wrong = await postForm(c, '/2fa/page/account/enroll/answer', {
      _csrf: token,
      code: '000000',
    });
    expect(wrong.headers.get('location')).toBe('/2fa/account/enroll');
    expect(await (await c.get('/2fa/account/enroll')).text()).toContain('role="alert"');
    const done = await postForm(c, '/2fa/page/account/enroll/answer', {
      _csrf: token,
      code: app.generate({ timestamp: r.clock.now() }),
    });
    expect(done.headers.get('location')).toBe('/2fa/account');
    const after = await accountHtml(c);
    expect(after).toContain('The method was added.');
    expect(await r.service.listEnrollments(user)).toHaveLength(2);
  });

  it('regenerated recovery codes are shown once, left the state before, and the old ones are dead', async () => {
    const r = await withPages();
    const { user, c, code, recoveryCodes } = await signedInSession(r);
    staleStepUp(r);
    expect((await pageStepUp(c, code)).headers.get('location')).toBe('/2fa/account');
    const token = csrfOf(await accountHtml(c));
    const res = await postForm(c, '/2fa/page/account/recovery-codes', { _csrf: token });
    expect(res.headers.get('location')).toBe('/2fa/account');
    const shown = await (await c.get('/2fa/account')).text();
    expect(shown).toContain('<h1>Save your recovery codes</h1>');
    expect(shown).toContain('href="/2fa/account"');
    const fresh = [...shown.matchAll(/<li>([^<]+)<\/li>/g)].map((m) => m[1]!);
    expect(fresh).toHaveLength(10);
    const state = await r.steps.state({ id: c.cookie()!, rotateId: async () => {} });
    expect(state?.page?.recoveryCodes).toBeUndefined();
    expect(await accountHtml(c)).toContain('<h1>Security settings</h1>');
    await expect(r.service.useRecoveryCode(user, recoveryCodes[0]!)).rejects.toMatchObject({
      code: 'INVALID_CODE',
    });
    expect((await r.service.useRecoveryCode(user, fresh[0]!)).ok).toBe(true);
  });

  it('a recovery code confirms the step-up where the audience lets codes count', async () => {
    const r = await withPages();
    const { c, recoveryCodes } = await signedInSession(r);
    staleStepUp(r);
    const chooser = await (await c.get('/2fa/account/step-up')).text();
    expect(chooser).toContain('<a href="/2fa/account/step-up/recovery">');
    const form = await (await c.get('/2fa/account/step-up/recovery')).text();
    expect(form).toContain('action="/2fa/page/account/step-up/recovery"');
    const res = await postForm(c, '/2fa/page/account/step-up/recovery', {
      _csrf: csrfOf(form),
      code: recoveryCodes[0]!,
    });
    expect(res.headers.get('location')).toBe('/2fa/account');
    expect(await accountHtml(c)).toContain('Recovery codes left: 9.');
  });

  it('shows ten activity entries a page, with a link to older ones and back', async () => {
    const r = await withPages();
    const { user, c } = await signedInSession(r);
    const [factor] = await r.service.listEnrollments(user);
    for (let i = 0; i < 12; i++) await r.service.renameEnrollment(user, factor!.id, `Phone ${i}`);
    const first = await accountHtml(c);
    const entries = (html: string) => /<ol>(.*?)<\/ol>/.exec(html)![1]!.match(/<li>/g)!.length;
    expect(entries(first)).toBe(10);
    const older = /<a href="(\/2fa\/account\?before=[^"]+)">Older activity<\/a>/.exec(first)![1]!;
    const second = await accountHtml(c, older.slice('/2fa/account'.length).replace(/&amp;/g, '&'));
    expect(entries(second)).toBe(3);
    expect(second).toContain('Method added');
    expect(second).toContain('<a href="/2fa/account">Newest activity</a>');
    // A cursor that is no page's shows the newest page.
    expect(entries(await accountHtml(c, '?before=not-a-cursor'))).toBe(10);
  });

  it('is German for Accept-Language: de, and every account message is in both catalogs', async () => {
    const r = await withPages();
    const { c } = await signedInSession(r);
    const res = await c.get('/2fa/account', { 'accept-language': 'de' });
    expect(await res.text()).toContain('<h1>Sicherheitseinstellungen</h1>');
    const { en, de } = BUILT_IN_CATALOGS;
    expect(Object.keys(de!.account).sort()).toEqual(Object.keys(en!.account).sort());
    expect(Object.keys(de!.account.notices).sort()).toEqual(
      Object.keys(en!.account.notices).sort(),
    );
    expect(Object.keys(de!.account.events).sort()).toEqual(Object.keys(en!.account.events).sort());
    const leaves = (o: object): unknown[] =>
      Object.values(o).flatMap((v: unknown) =>
        typeof v === 'object' && v !== null ? leaves(v) : [v],
      );
    for (const catalog of [en!, de!])
      for (const word of leaves(catalog.account))
        expect(typeof word === 'string' && word.length > 0).toBe(true);
  });

  it('the account templates are overridable like the others', async () => {
    const r = await open({
      pages: { templates: { account: (v) => `<h1>Mine: ${v.factors.length}</h1>` } },
    });
    const { c } = await signedInSession(r);
    expect(await accountHtml(c)).toContain('<h1>Mine: 1</h1>');
  });
});
