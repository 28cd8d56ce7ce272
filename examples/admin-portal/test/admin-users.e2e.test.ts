/**
 * The admin area's Users pages in Chromium, by what a person sees: a client locked out after
 * wrong codes (BF-01) is found, seen "locked until", and unlocked with a required reason; a
 * client who lost their device is reset and must set up 2FA again; the pages are closed to
 * clients, every POST needs the form's CSRF token (FL-12), and an unknown user is the same 404
 * as a refused caller (FL-14).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumAvailable,
  expectHeading,
  isFocused,
  launchChromium,
  screenshotOnFailure,
  signInWithPassword,
  tabTo,
} from './support/browser.js';
import { startPortalProcess, type PortalProcess } from './support/portal-process.js';
import { postWithCookies } from './support/http.js';
import { changeDeployment } from './support/portal-state.js';
import { chooseAuthenticator, enrollTotpAtSignIn, signInWithCode } from './support/totp-sign-in.js';
import { currentStep, totpCode } from './support/totp.js';

describe.runIf(chromiumAvailable())('admin Users pages in Chromium', () => {
  let portal: PortalProcess;
  let browser: Browser;
  let pages: Page[] = [];
  /** client1 fully signed in (password and code), from the lockout test. */
  let signedInClient: Page | undefined;

  /** A new browser profile (its own cookies) for one person. */
  async function person(): Promise<Page> {
    const context = await browser.newContext();
    const page = await context.newPage();
    pages.push(page);
    return page;
  }

  async function adminOnUserPage(email: string): Promise<Page> {
    const page = await person();
    await signInWithPassword(page, portal.url, portal.admin);
    await expectHeading(page, 'Admin dashboard');
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Users' })
      .click();
    await expectHeading(page, 'Users');
    await page.getByLabel('Search by email address or name').fill(email.split('@')[0]!);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/admin\/users\?q=/);
    expect(await page.getByLabel('Search by email address or name').inputValue()).toBe(
      email.split('@')[0],
    );
    await page.getByRole('link', { name: email }).click();
    await page.getByRole('definition').filter({ hasText: email }).waitFor();
    return page;
  }

  beforeAll(async () => {
    portal = await startPortalProcess();
    browser = await launchChromium();
    // Setup: 2FA forced for clients (so a client enrolls at sign-in and a reset makes them enroll
    // again), and a lock after two wrong codes so the test need not wait out the delays.
    await changeDeployment(portal, (doc) => {
      doc.policy.audiences['client'] = { force: true, notEnrolled: 'enroll' };
      doc.policy.throttle = { maxFailures: 2, freeFailures: 2, lockSeconds: 900 };
    });
  }, 90_000);
  afterAll(async () => {
    await signedInClient?.context().close();
    await browser?.close();
    await portal?.stop();
  });
  afterEach(async (ctx) => {
    for (const [i, page] of pages.entries())
      await screenshotOnFailure(page, { ...ctx.task, name: `${ctx.task.name}-${i}` });
    for (const page of pages) await page.context().close();
    pages = [];
  });

  it('BF-01: a client locked by wrong codes is told when to retry; the admin sees "locked until", needs a reason, unlocks; the client signs in', async () => {
    const client = await person();
    const totp = await enrollTotpAtSignIn(client, portal.url, portal.client1);
    await chooseAuthenticator(client);
    let alert = '';
    for (let i = 0; i < 4 && !/locked/i.test(alert); i++) {
      await client.getByLabel('Code', { exact: true }).fill(wrongCode(totp.key));
      await client.keyboard.press('Enter');
      await client.getByRole('alert').waitFor();
      alert = (await client.getByRole('alert').textContent()) ?? '';
    }
    expect(alert).toMatch(/locked/i);
    expect(alert).toMatch(/Try again (in \d+ (minute|second)s?|at .+)\./);

    const admin = await adminOnUserPage(portal.client1.email);
    const lock = admin.locator('#lock-status');
    expect(await lock.textContent()).toMatch(/^Locked until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    const factors = admin.getByRole('table', { name: 'Factors' }).getByRole('row');
    expect(await factors.count()).toBe(2); // the header and one factor
    expect(await factors.nth(1).getByRole('cell').first().textContent()).toBe('Authenticator app');

    // An empty reason: the field's error, announced and tied to the field.
    const reason = admin.getByLabel(/^Reason for unlocking/);
    await tabTo(admin, reason);
    await admin.keyboard.press('Tab');
    await admin.keyboard.press('Enter');
    await admin.getByText('Give a reason: it is kept in the audit log.').waitFor();
    expect(await reason.getAttribute('aria-describedby')).toBe('unlock-reason-error');
    expect(await admin.locator('#unlock-reason-error').getAttribute('role')).toBe('alert');
    expect(await isFocused(reason)).toBe(true);
    // Too short: the error again, and what was typed is still there.
    await admin.keyboard.type('ok');
    await admin.getByRole('button', { name: 'Unlock…' }).click();
    await admin.getByText('The reason must be at least 3 characters.').waitFor();
    expect(await reason.inputValue()).toBe('ok');
    expect(await lock.textContent()).toMatch(/^Locked until/);

    await reason.fill('ok, called the client and checked who they are');
    await admin.getByRole('button', { name: 'Unlock…' }).click();
    await expectHeading(admin, `Unlock ${portal.client1.email}?`);
    expect(await admin.locator('blockquote').textContent()).toBe(
      'ok, called the client and checked who they are',
    );
    const yes = admin.getByRole('button', { name: 'Yes, unlock' });
    expect(await isFocused(yes)).toBe(true);
    await admin.keyboard.press('Enter');
    await admin.getByRole('status').filter({ hasText: 'is unlocked' }).waitFor();
    expect(await lock.textContent()).toBe('Not locked');
    expect(await admin.getByRole('cell', { name: 'Unlocked by an administrator' }).count()).toBe(1);

    await signInWithCode(client, portal.url, portal.client1, totp);
    // Kept signed in for the FL-14 test below (a refused caller needs a full session).
    pages.splice(pages.indexOf(client), 1);
    signedInClient = client;
  }, 120_000);

  it('a client who lost their device is reset with a reason and must set up two-factor authentication again', async () => {
    const client = await person();
    await enrollTotpAtSignIn(client, portal.url, portal.client2);

    const admin = await adminOnUserPage(portal.client2.email);
    expect(
      await admin
        .getByRole('definition')
        .filter({ hasText: /^On \(1 factor\)$/ })
        .count(),
    ).toBe(1);
    await admin
      .getByLabel(/^Reason for the reset/)
      .fill('Lost their phone, identity checked by phone call');
    await admin.getByRole('button', { name: 'Reset two-factor authentication…' }).click();
    await expectHeading(admin, `Reset two-factor authentication for ${portal.client2.email}?`);
    expect(await admin.getByText(/removes their 1 factor, their recovery codes/).count()).toBe(1);
    // Cancel keeps everything, and the reason typed.
    await admin.getByRole('link', { name: 'Cancel' }).click();
    expect(await admin.getByLabel(/^Reason for the reset/).inputValue()).toBe(
      'Lost their phone, identity checked by phone call',
    );
    expect(
      await admin
        .getByRole('definition')
        .filter({ hasText: /^On \(1 factor\)$/ })
        .count(),
    ).toBe(1);
    await admin.getByRole('button', { name: 'Reset two-factor authentication…' }).click();
    await admin.getByRole('button', { name: 'Yes, reset two-factor authentication' }).click();
    await admin
      .getByRole('status')
      .filter({ hasText: `reset for ${portal.client2.email}: 1 factor removed` })
      .waitFor();
    expect(await admin.getByText('No factors.').count()).toBe(1);
    expect(await admin.getByRole('definition').filter({ hasText: /^Off$/ }).count()).toBe(1);

    await signInWithPassword(client, portal.url, portal.client2);
    await expectHeading(client, 'Set up two-factor authentication');
  }, 120_000);

  it('an admin cannot reset themselves here, and is sent to Security settings', async () => {
    const admin = await adminOnUserPage(portal.admin.email);
    expect(await admin.getByRole('button', { name: /Reset two-factor/ }).count()).toBe(0);
    expect(await admin.getByRole('link', { name: 'Security settings' }).count()).toBeGreaterThan(0);
    const answer = await postFrom(admin, `/admin/users/${idOf(admin)}/reset`, {
      reason: 'self service',
    });
    expect(answer.status).toBe(200);
    expect(answer.html).toMatch(/<p role="alert">This is your own account/);
    expect(answer.html).not.toContain('/reset/confirm');
  });

  it("FL-12: every admin POST without the form's CSRF token is refused and changes nothing", async () => {
    const admin = await adminOnUserPage(portal.client1.email);
    const target = idOf(admin);
    const bodies: Record<string, string>[] = [
      { reason: 'no token here' },
      { reason: 'wrong token', _csrf: 'x'.repeat(64) },
      { confirm: 'yes' },
    ];
    for (const path of [`/admin/users/${target}/unlock`, `/admin/users/${target}/reset`]) {
      for (const body of bodies) {
        const res = await fetchAs(admin, path, body);
        expect(res.status).toBe(403);
        const html = await res.text();
        expect(html).toContain('This form has expired');
        expect(html).not.toMatch(/at \w+ \(|node_modules/);
      }
    }
    await admin.reload();
    expect(
      await admin
        .getByRole('definition')
        .filter({ hasText: /^On \(1 factor\)$/ })
        .count(),
    ).toBe(1);
  });

  it("FL-14: a client gets the site's 404 on the admin pages, and an admin's reset of an unknown id is that same 404", async () => {
    if (!signedInClient) throw new Error('the lockout test above signs client1 in first');
    const client = signedInClient;
    const targetId = await idByEmail(portal.client2.email);
    expect((await client.goto(`${portal.url}/admin/users`))?.status()).toBe(404);
    expect((await client.goto(`${portal.url}/admin/users/${targetId}`))?.status()).toBe(404);
    await client.goto(`${portal.url}/client`);
    const clientCsrf = await client.locator('input[name="_csrf"]').first().inputValue();
    const refused = await fetchAs(client, `/admin/users/${targetId}/reset`, {
      reason: 'a client trying',
      _csrf: clientCsrf,
    });

    const admin = await adminOnUserPage(portal.client1.email);
    const csrf = await admin.locator('input[name="_csrf"]').first().inputValue();
    const unknown = await fetchAs(
      admin,
      '/admin/users/00000000-0000-4000-8000-000000000000/reset',
      {
        reason: 'reset someone',
        _csrf: csrf,
      },
    );
    const missing = await fetchAs(admin, '/admin/no-such-page', { _csrf: csrf });
    expect([refused.status, unknown.status, missing.status]).toEqual([404, 404, 404]);
    const page = strip(await missing.text());
    expect(page).toContain('Page not found');
    // One page for all three: nothing tells a refused caller or an unknown id apart.
    expect(strip(await refused.text())).toBe(page);
    expect(strip(await unknown.text())).toBe(page);
    // The client's attempt changed nothing: client2 still has no factor since the reset test,
    // and no reset names the client as actor.
    await admin.goto(`${portal.url}/admin/audit?type=admin.reset`);
    expect(await admin.getByRole('cell', { name: portal.client1.email, exact: true }).count()).toBe(
      0,
    );
  });

  async function idByEmail(email: string): Promise<string> {
    const admin = await adminOnUserPage(email);
    return idOf(admin);
  }

  function idOf(page: Page): string {
    return new URL(page.url()).pathname.split('/')[3]!;
  }

  function fetchAs(page: Page, path: string, body: Record<string, string>): Promise<Response> {
    return postWithCookies(page, portal.url, path, body);
  }

  /** Posts a form from the page with its own CSRF token, as the browser would, and follows. */
  async function postFrom(
    page: Page,
    path: string,
    body: Record<string, string>,
  ): Promise<{ status: number; html: string }> {
    const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
    const res = await page.request.post(`${portal.url}${path}`, {
      form: { ...body, _csrf: csrf },
    });
    return { status: res.status(), html: await res.text() };
  }
});

/** A code the app shows at no step the provider accepts now (its window is one step back). */
function wrongCode(key: string): string {
  const now = currentStep();
  const valid = [now - 1, now, now + 1].map((step) => totpCode(key, step));
  return ['000000', '111111', '222222', '333333'].find((c) => !valid.includes(c))!;
}

/** The page without its per-response parts (CSP nonce, CSRF token). */
function strip(html: string): string {
  return html.replace(/nonce="[^"]*"/g, '').replace(/name="_csrf" value="[^"]*"/g, '');
}
