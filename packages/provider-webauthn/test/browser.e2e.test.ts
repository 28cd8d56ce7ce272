/**
 * Chromium with DevTools virtual authenticators (CTAP2 over usb, and a platform authenticator
 * with resident keys), driven by playwright-core. The page is served from http://localhost (a
 * secure context) and runs @simplewebauthn/browser's UMD bundle; the test process stands in for
 * the host: it calls the TwoFactorService and hands each prompt's options to the page.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WebauthnAuthenticationPrompt } from '@factorkit/core';
import { createHarness, testUser } from '@factorkit/core/testing';
import { chromium, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebauthnProvider } from '../src/webauthn-provider.js';
import { outcomeOf } from './helpers.js';

const CHROMIUM = process.env['FACTORKIT_TEST_CHROMIUM'] ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  const reason = `Chromium not found at ${CHROMIUM} (install it with: apt-get install -y chromium)`;
  if (process.env['CI'] === 'true') throw new Error(`CI=true requires Chromium. ${reason}`);
  console.warn(`SKIPPED (not CI): ${reason}`);
}

// The package exports no subpath for its UMD bundle, so it is read from node_modules directly.
const bundle = readFileSync(
  new URL('../node_modules/@simplewebauthn/browser/dist/bundle/index.umd.min.js', import.meta.url),
);
const PAGE = '<!doctype html><title>2fa</title><script src="/swa.js"></script><p>second step</p>';

let server: Server;
let origin: string;
let profileDir: string;
let browser: BrowserContext;
let page: Page;
let cdp: CDPSession;

/** What the UMD bundle puts on the page's global object. */
interface PageGlobals {
  SimpleWebAuthnBrowser: {
    startRegistration(args: { optionsJSON: unknown }): Promise<Record<string, unknown>>;
    startAuthentication(args: { optionsJSON: unknown }): Promise<Record<string, unknown>>;
  };
}

const optionsOf = (p: { prompt: unknown }) =>
  (p.prompt as WebauthnAuthenticationPrompt).optionsJSON;
const register = (optionsJSON: unknown) =>
  page.evaluate(
    (o) =>
      (globalThis as unknown as PageGlobals).SimpleWebAuthnBrowser.startRegistration({
        optionsJSON: o,
      }),
    optionsJSON,
  );
const authenticate = (optionsJSON: unknown) =>
  page.evaluate(
    (o) =>
      (globalThis as unknown as PageGlobals).SimpleWebAuthnBrowser.startAuthentication({
        optionsJSON: o,
      }),
    optionsJSON,
  );

async function addAuthenticator(transport: 'usb' | 'internal'): Promise<string> {
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      ctap2Version: 'ctap2_1',
      transport,
      hasResidentKey: transport === 'internal',
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return authenticatorId;
}

describe.skipIf(!haveChromium)('WebAuthn in Chromium with virtual authenticators', () => {
  beforeAll(async () => {
    server = createServer((req, res) => {
      const js = req.url === '/swa.js';
      res.writeHead(200, { 'content-type': js ? 'text/javascript' : 'text/html' });
      res.end(js ? bundle : PAGE);
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const port = (server.address() as { port: number }).port;
    origin = `http://localhost:${port}`;
    profileDir = await mkdtemp(join(tmpdir(), 'factorkit-chromium-'));
    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(`${origin}/`);
    cdp = await browser.newCDPSession(page);
    await cdp.send('WebAuthn.enable', { enableUI: false });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((ok) => server?.close(ok));
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
  });

  it('WA-01 WA-02 WA-03 WA-08 WA-17: register, sign in, a second key, replay, wrong origin, removal, UV for admins', async () => {
    const settings = { rpId: 'localhost', rpName: 'factorkit test', origins: [origin] };
    const h = createHarness({
      providers: [WebauthnProvider],
      settings: { webauthn: { ...settings, userVerificationByAudience: { admin: 'required' } } },
    });
    const user = testUser();
    const usb = await addAuthenticator('usb');
    const act = await h.service.beginActivation(user, 'webauthn');
    const reg = await h.service.completeActivation(
      act.activationId,
      user,
      await register(optionsOf(act)),
    );
    expect(reg.ok).toBe(true);
    const first = (reg as { enrollmentId: string }).enrollmentId;

    // WA-01: sign in with the key; a second key (platform, resident) also signs in.
    const ch = await h.service.beginChallenge(user, { enrollmentId: first });
    const assertion = await authenticate(optionsOf(ch));
    expect(await outcomeOf(h.service.completeChallenge(ch.challengeId, user, assertion))).toBe(
      'SUCCESS',
    );
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: usb });
    const platform = await addAuthenticator('internal');
    const act2 = await h.service.beginActivation(user, 'webauthn');
    const reg2 = await h.service.completeActivation(
      act2.activationId,
      user,
      await register(optionsOf(act2)),
    );
    expect(reg2.ok).toBe(true);
    const second = (reg2 as { enrollmentId: string }).enrollmentId;
    const ch2 = await h.service.beginChallenge(user, { enrollmentId: second });
    expect(
      await outcomeOf(
        h.service.completeChallenge(ch2.challengeId, user, await authenticate(optionsOf(ch2))),
      ),
    ).toBe('SUCCESS');

    // WA-02: the captured assertion is refused on its own challenge and on a new one.
    expect(await outcomeOf(h.service.completeChallenge(ch.challengeId, user, assertion))).toBe(
      'CHALLENGE_NOT_FOUND',
    );
    const fresh = await h.service.beginChallenge(user, { enrollmentId: first });
    expect(await outcomeOf(h.service.completeChallenge(fresh.challengeId, user, assertion))).toBe(
      'INVALID_CODE',
    );

    // WA-03: a deployment whose origin list does not hold this page refuses its ceremony.
    const elsewhere = createHarness({
      providers: [WebauthnProvider],
      settings: { webauthn: { ...settings, origins: ['http://localhost:1'] } },
    });
    const stranger = testUser();
    const actE = await elsewhere.service.beginActivation(stranger, 'webauthn');
    const regE = await register(optionsOf(actE));
    expect(
      await outcomeOf(elsewhere.service.completeActivation(actE.activationId, stranger, regE)),
    ).toBe('INVALID_CODE');

    // WA-17: a challenge issued before the removal is refused after it.
    const before = await h.service.beginChallenge(user, { enrollmentId: second });
    const late = await authenticate(optionsOf(before));
    expect((await h.stores.enrollments.remove(user.id, second)).removed).toBe(true);
    expect(await outcomeOf(h.service.completeChallenge(before.challengeId, user, late))).toBe(
      'CHALLENGE_NOT_FOUND',
    );

    // WA-08: an admin whose key does not verify the user is not signed in.
    const admin = testUser({ audience: 'admin' });
    const actA = await h.service.beginActivation(admin, 'webauthn');
    expect(
      (
        await h.service.completeActivation(
          actA.activationId,
          admin,
          await register(optionsOf(actA)),
        )
      ).ok,
    ).toBe(true);
    await cdp.send('WebAuthn.setUserVerified', {
      authenticatorId: platform,
      isUserVerified: false,
    });
    const chA = await h.service.beginChallenge(admin);
    const answered = await authenticate(optionsOf(chA)).then(
      (a) => outcomeOf(h.service.completeChallenge(chA.challengeId, admin, a)),
      () => 'BROWSER_REFUSED',
    );
    expect(['INVALID_CODE', 'BROWSER_REFUSED']).toContain(answered);
  }, 60_000);
});
