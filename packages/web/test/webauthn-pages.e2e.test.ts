// Security keys on the default pages (issue 13), in Debian's Chromium driven by playwright-core,
// with DevTools virtual authenticators (CTAP2 over usb, and a platform one with resident keys).
// A person registers a key from the enrollment page and names it, signs in with it from the
// challenge page, picks a second key, cancels (the key is not plugged in) and retries, and is
// refused with a key removed meanwhile; with the keyboard only. Everything is asserted by what
// the page shows. Outside CI a missing Chromium skips this file with the reason printed.
import type { TwoFactorUser } from '@factorkit/core';
import { testUser } from '@factorkit/core/testing';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  enrolledKey,
  isFocused,
  plugBackIn,
  plugIn,
  tabTo,
  unplug,
} from './webauthn-browser-kit.js';
import { webauthnRig, type WebauthnRig } from './webauthn-rig.js';
import { chromiumAvailable, launchChromium } from './browser-kit.js';

const haveChromium = chromiumAvailable();

let browser: Browser;
let rig: WebauthnRig | undefined;
let contexts: BrowserContext[] = [];

/** A person's browser: one tab with the session the host's password step made, and DevTools. */
interface Person {
  readonly page: Page;
  readonly cdp: CDPSession;
  /** Content-Security-Policy reports the page printed (a blocked script would show here). */
  readonly cspViolations: string[];
}

async function personSignedInWithPassword(
  r: WebauthnRig,
  user: TwoFactorUser,
  options: { locale?: string; withoutWebauthn?: boolean } = {},
): Promise<Person> {
  const client = r.client();
  await client.login(user);
  const context = await browser.newContext({ locale: options.locale ?? 'en-US' });
  contexts.push(context);
  await context.addCookies([{ name: 'sid', value: client.cookie()!, url: r.origin }]);
  if (options.withoutWebauthn === true)
    // A browser without the Web Authentication API (the page's scripts see no PublicKeyCredential).
    await context.addInitScript(() => {
      delete (globalThis as { PublicKeyCredential?: unknown }).PublicKeyCredential;
    });
  const page = await context.newPage();
  const cspViolations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  await page.goto(`${r.origin}/2fa/`);
  return { page, cdp, cspViolations };
}

const heading = (page: Page) => page.getByRole('heading', { level: 1 });

describe.skipIf(!haveChromium)('security keys on the default pages (Chromium)', () => {
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    for (const c of contexts) await c.close();
    contexts = [];
    await rig?.close();
    rig = undefined;
  });

  it('WA-01 WA-21: a person registers and names a key on the enrollment page, then signs in with it, keyboard only', async () => {
    rig = await webauthnRig();
    const user = testUser({ audience: 'client' });
    const { page, cdp, cspViolations } = await personSignedInWithPassword(rig, user);
    await plugIn(cdp, 'usb');

    expect(await heading(page).textContent()).toBe('Set up two-factor authentication');
    expect(await isFocused(page.getByRole('button', { name: 'Set up security key' }))).toBe(true);
    await page.keyboard.press('Enter');

    await page.getByRole('heading', { name: 'Set up your security key' }).waitFor();
    expect(await page.getByText('Give the key a name, then press the button').count()).toBe(1);
    const name = page.getByLabel('Name of this key');
    expect(await isFocused(name)).toBe(true);
    await page.keyboard.type('Blue key');
    await page.keyboard.press('Enter');

    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Confirm that it is you' }).waitFor();
    const useBlue = page.getByRole('button', { name: 'Use Blue key' });
    expect(await isFocused(useBlue)).toBe(true);
    await page.keyboard.press('Enter');

    await page.getByRole('heading', { name: 'Use your security key' }).waitFor();
    expect(await page.getByText('Insert your security key and touch it.').count()).toBe(1);
    const button = page.getByRole('button', { name: 'Use security key' });
    expect(await isFocused(button)).toBe(true);
    await page.keyboard.press('Space');
    await page.waitForURL(`${rig.origin}/account`);
    expect(await page.textContent('body')).toContain('"ok":true');
    expect(rig.signedIn.map((o) => o.providerId)).toEqual(['webauthn']);
    expect(cspViolations).toEqual([]);
    expect(rig.errors).toEqual([]);
  }, 60_000);

  it('WA-01 WA-17 WA-21: a second key signs in; a key removed while its page is open is refused', async () => {
    rig = await webauthnRig();
    const user = testUser({ audience: 'client' });
    const { page, cdp } = await personSignedInWithPassword(rig, user);
    const usb = await plugIn(cdp, 'usb');
    const blue = await enrolledKey(rig, page, user, 'Blue key');
    // The laptop's own authenticator takes the second registration: the usb key is not touched.
    await cdp.send('WebAuthn.setAutomaticPresenceSimulation', {
      authenticatorId: usb,
      enabled: false,
    });
    await plugIn(cdp, 'internal');
    const laptop = await enrolledKey(rig, page, user, 'Laptop');
    await cdp.send('WebAuthn.setAutomaticPresenceSimulation', {
      authenticatorId: usb,
      enabled: true,
    });

    // The second key, chosen with Tab on the chooser.
    await page.goto(`${rig.origin}/2fa/`);
    await heading(page).filter({ hasText: 'Confirm that it is you' }).waitFor();
    // Both keys by the names given (the two were set up in the same millisecond: any order).
    expect((await page.getByRole('button', { name: /^Use / }).allTextContents()).sort()).toEqual([
      'Use Blue key',
      'Use Laptop',
    ]);
    await tabTo(page, page.getByRole('button', { name: 'Use Laptop' }));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Use your security key' }).waitFor();
    await page.keyboard.press('Enter');
    await page.waitForURL(`${rig.origin}/account`);
    expect(rig.signedIn.map((o) => o.providerId)).toEqual(['webauthn']);
    expect(rig.harness.audit.ofType('challenge.started').at(-1)?.enrollmentId).toBe(laptop);

    // Another sign-in: the blue key's page is open when the key is removed (another tab, an
    // administrator). Touching it afterwards signs nobody in, and the key is gone from the list.
    const later = await personSignedInWithPassword(rig, user);
    await plugBackIn(later.cdp, await unplug(cdp, usb));
    await tabTo(later.page, later.page.getByRole('button', { name: 'Use Blue key' }));
    await later.page.keyboard.press('Enter');
    await later.page.getByRole('heading', { name: 'Use your security key' }).waitFor();
    expect((await rig.harness.stores.enrollments.remove(user.id, blue)).removed).toBe(true);
    await later.page.keyboard.press('Enter');
    await later.page.getByRole('heading', { name: 'Confirm that it is you' }).waitFor();
    expect(await later.page.getByRole('alert').textContent()).toBe(
      'This step has ended. Start again.',
    );
    expect(await later.page.getByRole('button', { name: /^Use / }).allTextContents()).toEqual([
      'Use Laptop',
    ]);
    expect(rig.signedIn).toHaveLength(1);
  }, 60_000);

  it('WA-21: a cancelled ceremony (the wrong key touched) shows why, and Try again works once it is', async () => {
    rig = await webauthnRig();
    const user = testUser({ audience: 'client' });
    const { page, cdp } = await personSignedInWithPassword(rig, user);
    const usb = await plugIn(cdp, 'usb');
    await enrolledKey(rig, page, user, 'Blue key');
    await page.goto(`${rig.origin}/2fa/`);
    await page.getByRole('button', { name: 'Use Blue key' }).waitFor();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Use your security key' }).waitFor();

    // Another key is in the port, not the blue one: the browser gives up (NotAllowedError, as
    // when the person cancels its dialog) and nothing is posted.
    const held = await unplug(cdp, usb);
    const spare = await plugIn(cdp, 'usb');
    await page.keyboard.press('Enter');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe(
      'The security key was not used: the request was cancelled, took too long, or the key is not set up for this account. Try again when your key is ready.',
    );
    const retry = page.getByRole('button', { name: 'Try again' });
    expect(await isFocused(retry)).toBe(true);
    expect(page.url()).toBe(`${rig.origin}/2fa/`);
    expect(rig.harness.audit.ofType('failed')).toEqual([]);

    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: spare });
    await plugBackIn(cdp, held);
    await page.keyboard.press('Space');
    await page.waitForURL(`${rig.origin}/account`);
    expect(rig.signedIn.map((o) => o.providerId)).toEqual(['webauthn']);
  }, 60_000);

  it('WA-21: a browser without WebAuthn is told so, in German too, and offered no key button', async () => {
    rig = await webauthnRig();
    const user = testUser({ audience: 'client' });
    const setup = await personSignedInWithPassword(rig, user);
    await plugIn(setup.cdp, 'usb');
    await enrolledKey(rig, setup.page, user, 'Blauer Schlüssel');

    const { page } = await personSignedInWithPassword(rig, user, {
      locale: 'de-DE',
      withoutWebauthn: true,
    });
    await page.getByRole('button', { name: 'Blauer Schlüssel verwenden' }).waitFor();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Sicherheitsschlüssel verwenden' }).waitFor();
    expect(await page.getByRole('alert').textContent()).toBe(
      'Dieser Browser kann keine Sicherheitsschlüssel verwenden. Nutzen Sie einen anderen Browser oder wählen Sie eine andere Methode.',
    );
    expect(await page.getByRole('button', { name: 'Sicherheitsschlüssel verwenden' }).count()).toBe(
      0,
    );
    expect(
      await page
        .getByRole('link', { name: 'Stattdessen einen Wiederherstellungscode verwenden' })
        .count(),
    ).toBe(1);
  }, 60_000);
});
