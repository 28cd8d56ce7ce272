/**
 * What the security-key page tests do in the browser: DevTools virtual authenticators plugged in
 * and out, a key registered beforehand through core, and keyboard focus checks.
 */
import type { TwoFactorUser, WebauthnRegistrationPrompt } from '@factorkit/core';
import type { CDPSession, Page } from 'playwright-core';
import { webauthnAsset } from '../src/pages/webauthn-asset.js';
import type { WebauthnRig } from './webauthn-rig.js';

export async function plugIn(cdp: CDPSession, transport: 'usb' | 'internal'): Promise<string> {
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

/** Unplugs a key, keeping what it holds, so it can be plugged in again (see plugBackIn). */
export async function unplug(cdp: CDPSession, authenticatorId: string) {
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
  return credentials;
}

export async function plugBackIn(
  cdp: CDPSession,
  credentials: Awaited<ReturnType<typeof unplug>>,
): Promise<string> {
  const id = await plugIn(cdp, 'usb');
  for (const credential of credentials)
    await cdp.send('WebAuthn.addCredential', { authenticatorId: id, credential });
  return id;
}

/**
 * A key registered through core beforehand (the account's earlier setup), on a blank page of the
 * origin with the handler's own script loaded by DevTools: only the sign-in is under test there.
 */
export async function enrolledKey(
  r: WebauthnRig,
  page: Page,
  user: TwoFactorUser,
  label: string,
): Promise<string> {
  if (!page.url().startsWith(`${r.origin}/blank`)) await page.goto(`${r.origin}/blank`);
  const started = await r.harness.service.beginActivation(user, 'webauthn');
  const script = await (await fetch(`${r.origin}/2fa${webauthnAsset().path}`)).text();
  await page.evaluate(script);
  const optionsJSON = (started.prompt as WebauthnRegistrationPrompt).optionsJSON;
  const credential = await page.evaluate(
    (o) =>
      (
        globalThis as unknown as {
          SimpleWebAuthnBrowser: { startRegistration(a: { optionsJSON: unknown }): unknown };
        }
      ).SimpleWebAuthnBrowser.startRegistration({ optionsJSON: o }),
    optionsJSON,
  );
  const done = await r.harness.service.completeActivation(
    started.activationId,
    user,
    credential,
    undefined,
    { label },
  );
  if (done.ok !== true) throw new Error('the key did not register');
  return done.enrollmentId;
}

// The keyboard helpers are the pages' own (one copy for every browser test of this package).
export { isFocused, tabTo } from './browser-kit.js';
