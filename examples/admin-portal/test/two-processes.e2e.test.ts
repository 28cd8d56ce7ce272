/**
 * Two portal processes of one deployment on PostgreSQL and Redis serve the same users: a
 * sign-in begun on one completes on the other, in both directions, and a deployment change
 * stored by one is used by both without a restart (PT-01).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumAvailable,
  expectHeading,
  launchChromium,
  screenshotOnFailure,
  signInWithPassword,
} from './support/browser.js';
import { startPortalProcess, type PortalProcess } from './support/portal-process.js';
import { oathtoolCode } from './support/totp.js';

const PG_ADMIN = process.env['FACTORKIT_TEST_PG'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS = process.env['FACTORKIT_TEST_REDIS'] ?? 'redis://127.0.0.1:6379';

async function forceClientTwoFactor(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const row = await client.query<{ value: string; version: number }>(
      `select value, version from portal_settings where name = 'deployment'`,
    );
    const doc = JSON.parse(row.rows[0]!.value) as {
      policy: { audiences: Record<string, Record<string, unknown>> };
    };
    doc.policy.audiences['client'] = { force: true, notEnrolled: 'enroll' };
    await client.query(
      `update portal_settings set value = $1, version = version + 1 where name = 'deployment'`,
      [JSON.stringify(doc)],
    );
  } finally {
    await client.end();
  }
}

describe.runIf(chromiumAvailable())('two portal processes on PostgreSQL and Redis (PT-01)', () => {
  const database = `portal_${randomBytes(6).toString('hex')}`;
  const dbUrl = PG_ADMIN.replace(/\/[^/]*$/, `/${database}`);
  let a: PortalProcess;
  let b: PortalProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: PG_ADMIN });
    await admin.connect();
    await admin.query(`create database ${database}`);
    await admin.end();
    const env = { PORTAL_DATABASE_URL: dbUrl, PORTAL_REDIS_URL: REDIS };
    a = await startPortalProcess({ env });
    b = await startPortalProcess({ env, dataDir: a.dataDir });
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await b?.stop();
    await a?.stop();
    const admin = new pg.Client({ connectionString: PG_ADMIN });
    await admin.connect();
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
  });
  afterEach(async (ctx) => {
    await screenshotOnFailure(page, ctx.task);
    await context?.close();
  });

  it('prints the same demo logins on both (one deployment)', () => {
    expect(b.client1).toEqual(a.client1);
    expect(a.url).not.toBe(b.url);
  });

  it('a client enrolls on one process and signs in across both', async () => {
    await forceClientTwoFactor(dbUrl);
    context = await browser.newContext();
    page = await context.newPage();
    // Each process looks for a stored change at most once a second (LiveTwoFactor).
    await new Promise((r) => setTimeout(r, 1500));
    // Password on A; the forced enrollment starts there.
    await signInWithPassword(page, a.url, a.client1);
    await expectHeading(page, 'Set up two-factor authentication');
    await page.getByRole('button', { name: /authenticator app/i }).click();
    const key = (await page.locator('#manual-key').textContent())!.trim();
    // The rest of the enrollment on B: the same step, from Redis and PostgreSQL.
    await page.goto(`${b.url}/2fa/`);
    expect(await page.locator('#manual-key').textContent()).toContain(key);
    await page.getByRole('textbox').first().fill(oathtoolCode(key));
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('body').textContent()).toMatch(/recovery codes/i);
    // Then the challenge with the next code (the confirming one is spent), back on A.
    a.advanceClock(30_000);
    await page.goto(`${a.url}/2fa/`);
    await page.getByRole('button', { name: 'Use Authenticator app' }).click();
    await page
      .getByRole('textbox')
      .first()
      .fill(oathtoolCode(key, Date.now() + 30_000));
    await page.keyboard.press('Enter');
    await expectHeading(page, /Welcome back/);
    expect(new URL(page.url()).port).toBe(new URL(a.url).port);
    // The session is one: B sees it signed in too.
    await page.goto(`${b.url}/client`);
    await expectHeading(page, /Welcome back/);
    await page.getByRole('button', { name: 'Sign out' }).click();

    // Password on B, the code on A.
    await signInWithPassword(page, b.url, b.client1);
    await page.waitForURL((u) => u.pathname.startsWith('/2fa'));
    a.advanceClock(30_000);
    await page.goto(`${a.url}/2fa/`);
    await page.getByRole('button', { name: 'Use Authenticator app' }).click();
    await page
      .getByRole('textbox')
      .first()
      .fill(oathtoolCode(key, Date.now() + 60_000));
    await page.keyboard.press('Enter');
    await expectHeading(page, /Welcome back/);
  }, 180_000);
});
