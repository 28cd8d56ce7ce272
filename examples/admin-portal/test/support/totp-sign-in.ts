/** What a person does on factorkit's second-step pages in the admin tests, by what they see (codes at the real clock). */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { expectHeading, signInWithPassword } from './browser.js';
import type { DemoLogin } from './portal-process.js';
import { codeAfter, currentStep, totpCode } from './totp.js';

export interface EnrolledTotp {
  readonly key: string;
  /** The time step of the code used last: the next accepted code is of a later one. */
  lastStep: number;
}

/**
 * Signed in with the password while 2FA is forced: sets up an authenticator app from the key
 * shown on the page; ends on the second step's chooser.
 */
export async function enrollTotpAtSignIn(
  page: Page,
  url: string,
  login: DemoLogin,
): Promise<EnrolledTotp> {
  await signInWithPassword(page, url, login);
  await expectHeading(page, 'Set up two-factor authentication');
  await page.getByRole('button', { name: /^Set up authenticator app$/i }).click();
  await expectHeading(page, 'Set up your authenticator app');
  const text = await page.getByText(/^Key for manual entry:/).textContent();
  const key = text!.replace(/^Key for manual entry:\s*/, '').trim();
  const step = currentStep();
  await page.getByLabel('Code from the app').fill(totpCode(key, step));
  await page.keyboard.press('Enter');
  await expectHeading(page, 'Save your recovery codes');
  await page.getByRole('link', { name: 'I have saved them, continue' }).click();
  // The new factor is then asked for, like at every sign-in: the code just used is spent.
  await expectHeading(page, 'Confirm that it is you');
  return { key, lastStep: step };
}

/** On the chooser: picks the authenticator app. */
export async function chooseAuthenticator(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^Use authenticator app/i }).click();
  await expectHeading(page, 'Enter your code');
}

/** From the password to the code page of the authenticator app. */
export async function openCodePage(page: Page, url: string, login: DemoLogin): Promise<void> {
  await signInWithPassword(page, url, login);
  await expectHeading(page, 'Confirm that it is you');
  await chooseAuthenticator(page);
}

/** Signs in with a fresh code of the app (waiting for the next time step if needed). */
export async function signInWithCode(
  page: Page,
  url: string,
  login: DemoLogin,
  totp: EnrolledTotp,
): Promise<void> {
  await openCodePage(page, url, login);
  const next = await codeAfter(totp.key, totp.lastStep);
  totp.lastStep = next.step;
  await page.getByLabel('Code', { exact: true }).fill(next.code);
  await page.keyboard.press('Enter');
  await expectHeading(page, /Welcome back/);
  expect(new URL(page.url()).pathname).toBe('/client');
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expectHeading(page, 'Sign in');
}
