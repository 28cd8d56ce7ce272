/**
 * The second step as a person does it in the portal: reading the key off the enrollment page,
 * computing codes with Debian's OATH Toolkit (`oathtool`, an implementation independent of
 * factorkit's), saving the recovery codes, choosing a factor, signing out.
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { expectHeading, signInWithPassword } from './browser.js';
import type { DemoLogin, PortalProcess } from './portal-process.js';
import { oathtoolCode } from './totp.js';

export { oathtoolCode };

/** Moves the portal's clock to the next 30-second step and gives that step's code. */
export function nextCode(portal: PortalProcess, key: string): string {
  portal.advanceClock(30_000);
  return oathtoolCode(key, portal.now());
}

export interface EnrolledTotp {
  /** The key as the page showed it for manual entry, without spaces. */
  key: string;
  recoveryCodes: string[];
}

/**
 * Signs in with the password, sets up the authenticator app from the enrollment chooser (2FA
 * forced), confirms it with a code, reads the recovery codes and continues: the chooser is next.
 */
export async function enrollTotpAtSignIn(
  page: Page,
  portal: PortalProcess,
  login: DemoLogin,
): Promise<EnrolledTotp> {
  await signInWithPassword(page, portal.url, login);
  await expectHeading(page, 'Set up two-factor authentication');
  await page.getByRole('button', { name: 'Set up authenticator app' }).click();
  await expectHeading(page, 'Set up your authenticator app');
  const key = (await page.locator('#manual-key').textContent())!.replace(/\s+/g, '');
  expect(key).toMatch(/^[A-Z2-7]{32,}$/);
  await page.getByLabel('Code from the app').fill(oathtoolCode(key, portal.now()));
  await page.keyboard.press('Enter');
  await expectHeading(page, 'Save your recovery codes');
  const recoveryCodes = await page
    .getByRole('list', { name: 'Save your recovery codes' })
    .getByRole('listitem')
    .allTextContents();
  expect(recoveryCodes.length).toBeGreaterThanOrEqual(8);
  await page.getByRole('link', { name: 'I have saved them, continue' }).click();
  await expectHeading(page, 'Confirm that it is you');
  return { key, recoveryCodes };
}

/** From the chooser: the authenticator app, then `code` typed and sent with Enter. */
export async function answerWithCode(page: Page, code: string): Promise<void> {
  await page.getByRole('button', { name: 'Use authenticator app' }).click();
  await expectHeading(page, 'Enter your code');
  await page.getByLabel('Code', { exact: true }).fill(code);
  await page.keyboard.press('Enter');
  await page.waitForLoadState('domcontentloaded');
}

/** Signs out with the site frame's button (the client area) or the sign-out page. */
export async function signOut(page: Page, portal: PortalProcess): Promise<void> {
  await page.goto(`${portal.url}/logout`);
  await page
    .getByRole('main')
    .getByRole('button', { name: /^Sign out/ })
    .click();
  await expectHeading(page, 'Sign in');
}

/** Whether this browser's session opens the client area (not the second step, not the login). */
export async function clientAreaOpens(page: Page, portal: PortalProcess): Promise<boolean> {
  await page.goto(`${portal.url}/client`);
  return new URL(page.url()).pathname === '/client';
}
