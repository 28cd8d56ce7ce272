#!/usr/bin/env node
// Takes the README's screenshots of the portal's main pages: starts a portal in-process on a
// fresh data folder (as `npm start` would, built first), walks a client and the admin through
// Debian's Chromium, and writes PNGs to docs/screenshots/. Run: node examples/admin-portal/scripts/screenshots.mjs
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'docs', 'screenshots');
mkdirSync(out, { recursive: true });
const dataDir = mkdtempSync(join(tmpdir(), 'portal-shots-'));
const { startPortal } = await import('../dist/start.js');
const { readSettings } = await import('../dist/settings.js');

const server = createServer();
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;
const running = await startPortal(
  readSettings({ PORTAL_DATA_DIR: dataDir, PORTAL_PORT: '0' }),
  port,
);
server.on('request', running.app);
const url = running.origin;
const login = (email) => running.logins.find((l) => l.email === email);

// Clients must enroll on next login, so the second step's pages show.
const build = await running.portal.live.current();
const doc = structuredClone(build.document);
doc.policy.audiences.client = { force: true, notEnrolled: 'enroll' };
const applied = await running.portal.live.apply(doc, 'screenshots', build.version);
if (!applied.ok) throw new Error(JSON.stringify(applied.issues));

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
const shot = async (name) => {
  // Whole pages up to a height a README can show; the long settings page from its top.
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.screenshot({ path: join(out, `${name}.png`), fullPage: height <= 1600 });
  console.log(`docs/screenshots/${name}.png  ${page.url().replace(url, '')}`);
};
async function signIn(who) {
  await page.goto(`${url}/login`);
  await page.getByLabel('Email address').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
}
const code = (key) => execFileSync('oathtool', ['--totp', '-b', key], { encoding: 'utf8' }).trim();

try {
  await page.goto(`${url}/login`);
  await shot('01-login');
  await signIn(login('client1@example.com'));
  await shot('02-enroll-chooser');
  await page.getByRole('button', { name: /authenticator app/i }).click();
  await shot('03-totp-enrollment');
  const key = (await page.locator('#manual-key').textContent()).trim();
  await page.getByRole('textbox').first().fill(code(key));
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  await shot('04-recovery-codes');
  // The new factor is asked for at once, with the next code (the one just typed is spent).
  await page.getByRole('link', { name: /continue/i }).click();
  await page.getByRole('button', { name: /authenticator app/i }).click();
  await shot('05-code-entry');
  const step = Math.floor(Date.now() / 30_000);
  await new Promise((r) => setTimeout(r, (step + 1) * 30_000 - Date.now() + 200));
  await page.getByRole('textbox').first().fill(code(key));
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  for (const path of ['/client', '/2fa/account']) {
    await page.goto(`${url}${path}`);
    await shot(path === '/client' ? '06-client-area' : '07-security-settings');
  }
  await page.goto(`${url}/logout`);
  await page
    .getByRole('button', { name: /sign out/i })
    .last()
    .click();
  await signIn(login('admin@example.com'));
  for (const [path, name] of [
    ['/admin', '08-admin-dashboard'],
    ['/admin/two-factor', '09-admin-two-factor'],
    ['/admin/users', '10-admin-users'],
    ['/admin/audit', '11-admin-audit-log'],
  ]) {
    await page.goto(`${url}${path}`);
    await shot(name);
  }
} finally {
  await browser.close();
  server.closeAllConnections();
  server.close();
  await running.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
