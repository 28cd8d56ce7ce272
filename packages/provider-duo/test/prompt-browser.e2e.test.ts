// The Universal Prompt clicked in a real browser (issue 4): Debian's Chromium, driven by
// playwright-core, opens the redirect URL core's TwoFactorService hands out, sees the emulator's
// prompt page, clicks Approve or Deny, and lands on the application's callback, whose duo_code
// and state go back into the service. No fetch plays the browser here: the form is submitted by
// Chromium itself, over real HTTPS that it verifies against exactly the emulator's key.
//
// Outside CI a missing Chromium skips this file with the reason printed; under CI=true it fails.
// Requirements (docs/SECURITY.md): DU-01 (state round trip), DU-07a (a denied prompt is
// PROVIDER_DENIED); ASVS 12.3.2 (the TLS client validates the certificate: the browser trusts only
// the pinned key).
import { X509Certificate, createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RedirectPrompt } from '@factorkit/core';
import {
  generateCertificates,
  startDuoEmulator,
  type DuoEmulator,
  type EmulatorCertificates,
} from '@factorkit/duo-emulator';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  REDIRECT_URL,
  codeOf,
  duoHarness,
  duoUser,
  startEmulator,
  universalSettings,
  type DuoHarness,
} from './support/duo-test-kit.js';

// Debian's package (`apt-get install -y chromium`); playwright never downloads a browser here.
const CHROMIUM = process.env['FACTORKIT_TEST_CHROMIUM'] ?? '/usr/bin/chromium';
const IN_CI = process.env['CI'] === 'true';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  const reason = `Chromium not found at ${CHROMIUM} (install it with: apt-get install -y chromium)`;
  if (IN_CI) throw new Error(`CI=true requires Chromium for the browser test. ${reason}`);
  console.warn(`SKIPPED (not CI): ${reason}`);
}

/**
 * Chromium's `--ignore-certificate-errors-spki-list` takes base64(SHA-256(SubjectPublicKeyInfo))
 * of the certificates to accept: this pins the emulator's server key and nothing else.
 */
function spkiPin(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/** A browser tab, the callback URLs intercepted in it, and any interception failure. */
interface Tab {
  page: Page;
  callbacks: string[];
  cdpErrors: unknown[];
}

const CALLBACK_PAGE = '<!doctype html><title>callback</title><p>back at the application</p>';

/** Every URL the browser asked for, to prove it talked to nothing but the emulator and the app. */
const requested: string[] = [];

let certs: EmulatorCertificates;
let emu: DuoEmulator;
let profileDir: string;
let browser: BrowserContext;

describe.skipIf(!haveChromium)('Universal Prompt in a real browser (Chromium)', () => {
  beforeAll(async () => {
    // Generate the certificates here so the test knows the server key it pins.
    certs = await generateCertificates();
    emu = await startEmulator({
      certificates: certs,
      users: [
        { username: 'alice', devices: [{ name: 'iPhone' }] },
        { username: 'bob', devices: [{ name: 'Pixel' }] },
      ],
    });
    profileDir = await mkdtemp(join(tmpdir(), 'factorkit-chromium-'));
    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
        `--ignore-certificate-errors-spki-list=${spkiPin(certs.certPem)}`,
        // No name resolves: the browser can reach the loopback emulator and nothing else, and the
        // application's callback host (answered below, in the browser) never hits DNS.
        '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
      ],
    });
    browser.on('request', (r) => requested.push(r.url()));
  });

  afterAll(async () => {
    await browser?.close();
    await emu?.stop();
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
  });

  /**
   * A new tab whose navigations to the application's callback are answered by the test inside
   * the browser. Playwright's `route` never sees a request that a redirect (here Duo's 303)
   * started, so this uses Chromium's own DevTools Fetch interception, which pauses redirect
   * targets like any other request: no server and no DNS for the application.
   */
  async function openTab(): Promise<Tab> {
    const page = await browser.newPage();
    const callbacks: string[] = [];
    const cdpErrors: unknown[] = [];
    const cdp = await browser.newCDPSession(page);
    cdp.on('Fetch.requestPaused', (event) => {
      callbacks.push(event.request.url);
      cdp
        .send('Fetch.fulfillRequest', {
          requestId: event.requestId,
          responseCode: 200,
          responseHeaders: [{ name: 'content-type', value: 'text/html; charset=utf-8' }],
          body: Buffer.from(CALLBACK_PAGE).toString('base64'),
        })
        .catch((err: unknown) => cdpErrors.push(err));
    });
    await cdp.send('Fetch.enable', {
      patterns: [{ urlPattern: `${REDIRECT_URL}?*`, requestStage: 'Request' }],
    });
    return { page, callbacks, cdpErrors };
  }

  /**
   * Opens the prompt URL, checks what a person sees, clicks the button and returns the callback
   * query Chromium was redirected to (read from the browser's own address bar).
   */
  async function clickPrompt(
    tab: Tab,
    url: string,
    username: string,
    button: 'Approve' | 'Deny',
    screenshotTo?: string,
  ): Promise<Record<string, string>> {
    const { page, callbacks, cdpErrors } = tab;
    const seen = callbacks.length;
    const res = await page.goto(url);
    expect(res?.status()).toBe(200);
    expect(new URL(page.url()).host).toBe(emu.apiHost);
    // The prompt's own protections reach the browser (no framing, no scripts).
    expect(res?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    await expect(page.title()).resolves.toBe('Duo Security');
    expect(await page.locator('h1').innerText()).toBe('Duo Push');
    expect(await page.locator('#duo-username').innerText()).toBe(username);
    const approve = page.getByRole('button', { name: 'Approve' });
    const deny = page.getByRole('button', { name: 'Deny' });
    expect(await approve.isVisible()).toBe(true);
    expect(await deny.isVisible()).toBe(true);
    if (screenshotTo) await page.screenshot({ path: screenshotTo, fullPage: true });
    await Promise.all([
      page.waitForURL((u) => u.origin + u.pathname === REDIRECT_URL),
      (button === 'Approve' ? approve : deny).click(),
    ]);
    // Exactly one callback navigation was intercepted, and it is where the tab now is.
    expect(callbacks.slice(seen)).toEqual([page.url()]);
    expect(cdpErrors).toEqual([]);
    expect(await page.locator('p').innerText()).toBe('back at the application');
    return Object.fromEntries(new URL(page.url()).searchParams);
  }

  function redirectUrlOf(started: { prompt: { kind: string } }): string {
    expect(started.prompt.kind).toBe('redirect');
    return (started.prompt as RedirectPrompt).url;
  }

  it('DU-01 Approve: activation and then sign-in both complete from the duo_code and state Chromium brought back', async () => {
    const h: DuoHarness = duoHarness(universalSettings(emu));
    const user = duoUser('alice');
    const tab = await openTab();
    const shot = join(profileDir, 'prompt.png');
    try {
      // Activation: one round trip through the prompt links the Duo username.
      const act = await h.service.beginActivation(user, 'duo');
      const actCb = await clickPrompt(tab, redirectUrlOf(act), 'alice', 'Approve', shot);
      expect(actCb['state']).toBe(act.activationId);
      expect(actCb['duo_code']).toMatch(/^\S{16,}$/);
      const done = await h.service.completeActivation(actCb['state']!, user, actCb);
      expect(done.ok).toBe(true);
      expect((await h.service.listEnrollments(user))[0]?.label).toBe('Duo (alice)');

      // Sign-in: the same page, a fresh state, one token call.
      const ch = await h.service.beginChallenge(user, 'duo');
      const cb = await clickPrompt(tab, redirectUrlOf(ch), 'alice', 'Approve');
      expect(cb['state']).toBe(ch.challengeId);
      const tokensBefore = emu.counters.count('/oauth/v1/token');
      const ok = await h.service.completeChallenge(cb['state']!, user, cb);
      expect(ok).toMatchObject({ ok: true, providerId: 'duo', method: 'duo', failOpen: false });
      expect(emu.counters.count('/oauth/v1/token')).toBe(tokensBefore + 1);
    } finally {
      await tab.page.close();
    }

    // The screenshot of the prompt page is a real, non-empty PNG.
    const png = await readFile(shot);
    expect(png.subarray(0, 8).equals(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]))).toBe(true);
    expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
    expect(png.readUInt32BE(16)).toBeGreaterThan(0); // width
    expect(png.readUInt32BE(20)).toBeGreaterThan(0); // height
    expect(png.length).toBeGreaterThan(1000);
  });

  it('DU-07a Deny: Duo redirects with error=access_denied and the challenge ends PROVIDER_DENIED, no token call', async () => {
    const h = duoHarness(universalSettings(emu));
    const user = duoUser('bob');
    const tab = await openTab();
    try {
      const act = await h.service.beginActivation(user, 'duo');
      const actCb = await clickPrompt(tab, redirectUrlOf(act), 'bob', 'Approve');
      expect((await h.service.completeActivation(actCb['state']!, user, actCb)).ok).toBe(true);

      const ch = await h.service.beginChallenge(user, 'duo');
      const cb = await clickPrompt(tab, redirectUrlOf(ch), 'bob', 'Deny');
      expect(cb).toMatchObject({ error: 'access_denied', state: ch.challengeId });
      expect(cb['duo_code']).toBeUndefined();
      const tokensBefore = emu.counters.count('/oauth/v1/token');
      expect(await codeOf(h.service.completeChallenge(cb['state']!, user, cb))).toBe(
        'PROVIDER_DENIED',
      );
      expect(emu.counters.count('/oauth/v1/token')).toBe(tokensBefore);
      expect((await h.service.throttleStatus(user)).failures).toBe(1);
    } finally {
      await tab.page.close();
    }
  });

  it('ASVS 12.3.2 the browser verifies TLS: a Duo emulator with another key is refused (the pin is not a blanket bypass)', async () => {
    // A fresh emulator has its own CA and server key, which this browser was never told about.
    const other = await startDuoEmulator({
      users: [{ username: 'alice', devices: [{ name: 'iPhone' }] }],
    });
    const page = await browser.newPage();
    try {
      const err = await page
        .goto(`https://${other.apiHost}/oauth/v1/health_check`)
        .then(() => undefined)
        .catch((e: unknown) => e as Error);
      expect(err?.message).toMatch(/ERR_CERT_AUTHORITY_INVALID/);
    } finally {
      await page.close();
      await other.stop();
    }
  });

  it('the browser reached nothing but the emulator and the routed application callback', () => {
    expect(requested.length).toBeGreaterThan(0);
    const allowed = new Set([`https://${emu.apiHost}`, new URL(REDIRECT_URL).origin]);
    // The refused emulator of the TLS test is on 127.0.0.1 too; every other host is a leak.
    const stray = requested.filter(
      (u) => !allowed.has(new URL(u).origin) && new URL(u).hostname !== '127.0.0.1',
    );
    expect(stray).toEqual([]);
  });
});
