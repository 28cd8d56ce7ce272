/**
 * The admin area's audit log in Chromium: the admin's resets and unlocks are there with the
 * admin as actor (LG-01: who did what, to whom, when), newest first and 50 a page; it filters by
 * user, event and UTC dates, says what is wrong with a bad filter and keeps the others; the CSV
 * export has the same rows with a header, and a user named like a formula is neutralised.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumAvailable,
  expectHeading,
  launchChromium,
  screenshotOnFailure,
  signInWithPassword,
} from './support/browser.js';
import { startPortalProcess, type PortalProcess } from './support/portal-process.js';
import { cookieHeader, postWithCookies } from './support/http.js';
import { renameUser } from './support/portal-state.js';

const FORMULA_NAME = '=HYPERLINK("https://evil.example/","Click me")';

describe.runIf(chromiumAvailable())('admin audit log in Chromium', () => {
  let portal: PortalProcess;
  let browser: Browser;
  let admin: Page;
  const ids: Record<string, string> = {};

  /** The admin's form posts, with the session's cookie and token, as the pages send them. */
  async function post(path: string, body: Record<string, string>): Promise<Response> {
    const csrf = await admin.locator('input[name="_csrf"]').first().inputValue();
    return postWithCookies(admin, portal.url, path, { ...body, _csrf: csrf });
  }

  /** One admin action through its two steps (the reason, then the confirm form). */
  async function act(action: 'reset' | 'unlock', email: string, reason: string): Promise<void> {
    const first = await post(`/admin/users/${ids[email]}/${action}`, { reason });
    expect(first.headers.get('location')).toMatch(new RegExp(`/${action}/confirm$`));
    const done = await post(`/admin/users/${ids[email]}/${action}`, { confirm: 'yes' });
    expect(done.status).toBe(303);
  }

  beforeAll(async () => {
    portal = await startPortalProcess();
    // Setup: a user whose name a spreadsheet would run as a formula.
    renameUser(portal, portal.client2.email, FORMULA_NAME);
    browser = await launchChromium();
    admin = await (await browser.newContext({ acceptDownloads: true })).newPage();
    await signInWithPassword(admin, portal.url, portal.admin);
    await admin.getByRole('heading', { level: 1, name: 'Admin dashboard' }).waitFor();
    for (const email of [portal.client1.email, portal.client2.email]) {
      await admin.goto(`${portal.url}/admin/users?q=${encodeURIComponent(email)}`);
      const href = await admin.getByRole('link', { name: email }).getAttribute('href');
      ids[email] = href!.split('/').pop()!;
    }
    // 54 events: more than one page of 50.
    for (let i = 1; i <= 52; i++)
      await act('unlock', portal.client1.email, `Routine check number ${i}`);
    await act('reset', portal.client2.email, 'Lost their phone');
    await act('unlock', portal.client2.email, 'After the reset');
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
  });
  afterEach(async (ctx) => {
    await screenshotOnFailure(admin, ctx.task);
  });

  function column(page: Page, n: number) {
    return page.locator(`table tbody tr td:nth-child(${n})`);
  }

  it('LG-01: shows the newest first with the admin as actor, 50 a page, the older ones on the next', async () => {
    await admin.goto(`${portal.url}/admin`);
    await admin
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Audit log' })
      .click();
    await expectHeading(admin, 'Audit log');
    const rows = admin.locator('table tbody tr');
    expect(await rows.count()).toBe(50);
    const first = rows.first();
    expect(await first.locator('td').nth(1).textContent()).toContain('admin.unlocked');
    expect(await first.locator('td').nth(2).textContent()).toBe(portal.client2.email);
    expect(await first.locator('td').nth(3).textContent()).toBe(portal.admin.email);
    expect(await first.locator('td').nth(6).textContent()).toBe('reason: After the reset');
    const second = rows.nth(1);
    expect(await second.locator('td').nth(1).textContent()).toContain('admin.reset');
    expect(await second.locator('td').nth(6).textContent()).toContain('reason: Lost their phone');
    expect(await rows.nth(2).locator('td').nth(6).textContent()).toBe(
      'reason: Routine check number 52',
    );
    const times = await column(admin, 1).allTextContents();
    expect([...times].sort().reverse()).toEqual(times);
    for (const t of times) expect(t).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);

    await admin.getByRole('link', { name: 'Older events' }).click();
    await expectHeading(admin, 'Audit log');
    const older = await column(admin, 7).allTextContents();
    expect(older).toEqual([
      'reason: Routine check number 4',
      'reason: Routine check number 3',
      'reason: Routine check number 2',
      'reason: Routine check number 1',
    ]);
    expect(await admin.getByRole('link', { name: 'Older events' }).count()).toBe(0);
    expect(await admin.getByRole('link', { name: 'Newest events' }).count()).toBe(1);
  });

  it('filters by user, by event and by UTC dates, keeping each filter in its field', async () => {
    await admin.goto(`${portal.url}/admin/audit`);
    await admin.getByLabel('User (email address)').fill(portal.client2.email);
    await admin.getByRole('button', { name: 'Filter' }).click();
    await admin.waitForURL(/user=/);
    expect(await column(admin, 3).allTextContents()).toEqual([
      portal.client2.email,
      portal.client2.email,
    ]);
    expect(await admin.getByLabel('User (email address)').inputValue()).toBe(portal.client2.email);

    await admin.getByLabel('Event').selectOption('admin.reset');
    await admin.getByRole('button', { name: 'Filter' }).click();
    await admin.waitForURL(/type=admin.reset/);
    expect(await column(admin, 2).allTextContents()).toEqual([
      'Two-factor authentication reset by an administratoradmin.reset',
    ]);

    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await admin.getByLabel('Event').selectOption('');
    await admin.getByLabel('From (UTC date, inclusive)').fill(today);
    await admin.getByLabel('To (UTC date, inclusive)').fill(today);
    await admin.getByRole('button', { name: 'Filter' }).click();
    await admin.waitForURL(/to=/);
    expect(await column(admin, 3).count()).toBe(2);
    await admin.getByLabel('From (UTC date, inclusive)').fill(tomorrow);
    await admin.getByLabel('To (UTC date, inclusive)').fill(tomorrow);
    await admin.getByRole('button', { name: 'Filter' }).click();
    await admin.getByRole('status').filter({ hasText: 'No events match these filters.' }).waitFor();
  });

  it('says what is wrong with a bad filter, by its field, and keeps the others', async () => {
    const res = await admin.goto(
      `${portal.url}/admin/audit?user=${encodeURIComponent(portal.client1.email)}&type=no.such.event&from=2026-02-31&to=`,
    );
    expect(res?.status()).toBe(400);
    await admin.getByText('Choose an event type from the list.').waitFor();
    await admin.getByText('Enter the start date as YYYY-MM-DD (a UTC day).').waitFor();
    const type = admin.getByLabel('Event');
    expect(await type.getAttribute('aria-invalid')).toBe('true');
    expect(await type.getAttribute('aria-describedby')).toBe('filter-type-error');
    expect(await admin.locator('#filter-type-error').getAttribute('role')).toBe('alert');
    expect(await admin.getByLabel('User (email address)').inputValue()).toBe(portal.client1.email);
    expect(await admin.locator('table').count()).toBe(0);
    expect(await admin.getByRole('link', { name: 'Export CSV' }).count()).toBe(0);

    await admin.goto(
      `${portal.url}/admin/audit?user=nobody%40example.com&from=2026-05-02&to=2026-05-01`,
    );
    await admin.getByText('No user has the email address “nobody@example.com”.').waitFor();
    await admin.getByText('The end date is before the start date.').waitFor();
    expect(await admin.getByLabel('From (UTC date, inclusive)').inputValue()).toBe('2026-05-02');
    // A bad filter is never exported as a file of something else either.
    const csv = await fetch(`${portal.url}/admin/audit/export.csv?type=no.such.event`, {
      headers: { cookie: await cookieOf(admin) },
    });
    expect(csv.status).toBe(400);
    expect(csv.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('exports the filtered rows as CSV with a header, a formula-like name neutralised', async () => {
    await admin.goto(`${portal.url}/admin/audit?user=${encodeURIComponent(portal.client2.email)}`);
    const [download] = await Promise.all([
      admin.waitForEvent('download'),
      admin.getByRole('link', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^audit-log-\d{4}-\d\d-\d\d\.csv$/);
    const text = readFileSync(await download.path(), 'utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'Time (UTC),Event,User email,User name,Actor email,Provider,IP address,Detail',
    );
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z,admin\.unlocked,client2@example\.com,/);
    expect(lines[2]).toContain(',admin.reset,');
    for (const line of lines.slice(1)) {
      expect(line).toContain(`,"'=HYPERLINK(""https://evil.example/"",""Click me"")",`);
      expect(line).toContain(`,${portal.admin.email},`);
      // No cell, quoted or not, starts with a formula character.
      expect(line).not.toMatch(/(^|,)"?[=+\-@\t\r]/);
    }

    const headers = await fetch(`${portal.url}/admin/audit/export.csv`, {
      headers: { cookie: await cookieOf(admin) },
    });
    expect(headers.headers.get('content-disposition')).toMatch(/^attachment; filename="/);
    expect(headers.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    // The export is every matching row, not one page: 54 events and the header.
    expect((await headers.text()).trimEnd().split('\n')).toHaveLength(55);
  });

  it('is not a client’s: a client gets the 404 page for the log and its export', async () => {
    const context = await browser.newContext();
    const client = await context.newPage();
    try {
      await signInWithPassword(client, portal.url, portal.client1);
      await expectHeading(client, /Welcome back/);
      expect((await client.goto(`${portal.url}/admin/audit`))?.status()).toBe(404);
      const csv = await fetch(`${portal.url}/admin/audit/export.csv`, {
        headers: { cookie: await cookieOf(client) },
      });
      expect(csv.status).toBe(404);
      expect(await csv.text()).not.toContain('admin.reset');
    } finally {
      await context.close();
    }
  });

  function cookieOf(page: Page): Promise<string> {
    return cookieHeader(page, portal.url);
  }
});
