// The Duo Universal Prompt from the default pages in a real browser (issue 12): Debian's
// Chromium, driven by playwright-core, against the Express adapter on loopback and the offline
// Duo emulator over HTTPS (Chromium trusts exactly the emulator's key). A person sets up Duo from
// the enrollment page, approves at "Duo", comes back through the callback route, saves the
// recovery codes, then signs in with Duo; a press of Deny shows why on the step page. Keyboard
// only: Tab, Enter and nothing else. Everything is asserted by what the pages show.
//
// Also shown: why the host's session cookie must be SameSite=Lax. Duo's redirect back is a
// cross-site navigation; with a Strict cookie the browser arrives without it and the pending
// step is out of reach (DU-10).
import { X509Certificate, createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { generateCertificates, startDuoEmulator, type DuoEmulator } from '@factorkit/duo-emulator';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, isFocused, launchChromium, tabTo } from './browser-kit.js';
import { universalSettings } from './duo-kit.js';
import { expressRig } from './express-rig.js';
import { testUser, type Rig } from './rig.js';
import { useRig } from './suite-kit.js';

const withChromium = chromiumAvailable();
const open = useRig(expressRig);
let browser: Browser;
let emu: DuoEmulator;
let spki = '';

/** A free loopback port: Duo must know the callback's origin before the rig listens. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function duoRig(): Promise<{ rig: Rig; origin: string }> {
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  const rig = await open({
    port,
    duo: universalSettings(emu, origin),
    pages: { afterSignIn: '/account', signOutUrl: '/logout' },
  });
  return { rig, origin };
}

/** The host's password step over HTTP, then that session in a new tab of the browser. */
async function afterPassword(
  rig: Rig,
  origin: string,
  user = testUser({ audience: 'client' }),
  sameSite: 'Lax' | 'Strict' = 'Lax',
): Promise<Page> {
  const client = rig.client();
  await client.login(user);
  const context = await browser.newContext({ locale: 'en-US' });
  await context.addCookies([
    { name: 'sid', value: client.cookie()!, url: origin, httpOnly: true, sameSite },
  ]);
  const page = await context.newPage();
  await page.goto(`${origin}/2fa/`);
  return page;
}

/** On the "continue at your provider" page: Enter on the link, then Tab to a button at Duo. */
async function throughDuo(page: Page, button: 'Approve' | 'Deny'): Promise<void> {
  await page.getByRole('heading', { name: 'Continue at your provider' }).waitFor();
  const link = page.getByRole('link', { name: 'Go to the confirmation page' });
  expect(await isFocused(link)).toBe(true);
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.host === emu.apiHost);
  expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Duo Push');
  await tabTo(page, page.getByRole('button', { name: button }));
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.host !== emu.apiHost);
}

describe.skipIf(!withChromium)('the Duo Universal Prompt from the pages (Chromium)', () => {
  beforeAll(async () => {
    const certs = await generateCertificates();
    const key = new X509Certificate(certs.certPem).publicKey.export({
      type: 'spki',
      format: 'der',
    });
    spki = createHash('sha256').update(key).digest('base64');
    emu = await startDuoEmulator({ certificates: certs });
    // Pins the emulator's server key and nothing else; TLS checks stay on for everything else.
    browser = await launchChromium([`--ignore-certificate-errors-spki-list=${spki}`]);
  });
  afterAll(async () => {
    await browser?.close();
    await emu?.stop();
  });

  it('DU-10: a person sets up Duo, comes back through the callback, and signs in with Duo, keyboard only', async () => {
    const { rig, origin } = await duoRig();
    const user = testUser({ audience: 'client' });
    emu.users.create({ username: user.username, devices: [{ name: 'iPhone' }] });
    const page = await afterPassword(rig, origin, user);

    await page.getByRole('heading', { name: 'Set up two-factor authentication' }).waitFor();
    await tabTo(page, page.getByRole('button', { name: 'Set up Duo' }));
    await page.keyboard.press('Enter');
    await throughDuo(page, 'Approve');

    // The callback answered with a redirect to the step page: the enrollment's recovery codes.
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    expect(page.url()).toBe(`${origin}/2fa/`);
    const codes = await page
      .getByRole('list', { name: 'Save your recovery codes' })
      .getByRole('listitem')
      .allTextContents();
    expect(codes.length).toBeGreaterThanOrEqual(8);
    const saved = page.getByRole('link', { name: 'I have saved them, continue' });
    expect(await isFocused(saved)).toBe(true);
    await page.keyboard.press('Enter');

    await page.getByRole('heading', { name: 'Confirm that it is you' }).waitFor();
    const useDuo = page.getByRole('button', { name: /^Use Duo/ });
    expect(await isFocused(useDuo)).toBe(true);
    await page.keyboard.press('Enter');
    await throughDuo(page, 'Approve');
    await page.waitForURL(`${origin}/account`);
    expect(await page.textContent('body')).toContain('"ok":true');
    expect(rig.signedIn.map((o) => o.providerId)).toEqual(['duo']);
  });

  it('DU-07a: pressing Deny at Duo brings the person back to the step page, told why', async () => {
    const { rig, origin } = await duoRig();
    const user = testUser({ audience: 'client' });
    emu.users.create({ username: user.username, devices: [{ name: 'iPhone' }] });
    const page = await afterPassword(rig, origin, user);
    await tabTo(page, page.getByRole('button', { name: 'Set up Duo' }));
    await page.keyboard.press('Enter');
    await throughDuo(page, 'Deny');
    await page.getByRole('alert').waitFor();
    expect(page.url()).toBe(`${origin}/2fa/`);
    expect(await page.getByRole('alert').textContent()).toBe('The request was denied.');
    expect(await rig.service.listEnrollments(user)).toEqual([]);
    // The person can start again from the same page, with the keyboard.
    await tabTo(page, page.getByRole('button', { name: 'Set up Duo' }));
    await page.keyboard.press('Enter');
    await throughDuo(page, 'Approve');
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
  });

  it('DU-10: with a SameSite=Strict session cookie the way back from Duo arrives without it, and nothing is granted', async () => {
    const { rig, origin } = await duoRig();
    const user = testUser({ audience: 'client' });
    emu.users.create({ username: user.username, devices: [{ name: 'iPhone' }] });
    const page = await afterPassword(rig, origin, user, 'Strict');
    await tabTo(page, page.getByRole('button', { name: 'Set up Duo' }));
    await page.keyboard.press('Enter');
    await throughDuo(page, 'Approve');
    // The session cookie stayed behind: the person lands on the sign-in page, with nothing granted.
    await page.getByRole('heading', { name: 'Sign in first' }).waitFor();
    expect(await page.getByRole('link', { name: 'Go to the sign-in page' }).count()).toBe(1);
    expect(await rig.service.listEnrollments(user)).toEqual([]);
  });
});
