/**
 * The portal's browser tests: Debian's Chromium (the web package's launcher and keyboard
 * helpers), a screenshot saved for every failed test, and the steps a person takes to sign in.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { DemoLogin } from './portal-process.js';

export {
  chromiumAvailable,
  isFocused,
  launchChromium,
  tabTo,
} from '../../../../packages/web/test/browser-kit.js';

/** Where failure screenshots go (ignored by git; CI keeps the folder's content). */
export const SCREENSHOTS = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'test-screenshots',
);

/** Call in afterEach with the test's context: saves what the page showed when the test failed. */
export async function screenshotOnFailure(
  page: Page | undefined,
  task: { name: string; result?: { state?: string } },
): Promise<void> {
  if (!page || task.result?.state !== 'fail') return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  const name = task.name.replace(/[^A-Za-z0-9-]+/g, '-').slice(0, 80);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true }).catch(() => {});
}

/**
 * Does what submits a form, then waits until a new document has replaced this one (a refused
 * login leads to /login again, so the URL alone cannot tell).
 */
export async function submitAndWait(page: Page, submit: () => Promise<void>): Promise<void> {
  type Doc = { __before?: boolean; document: { readyState: string } };
  await page.evaluate(() => ((globalThis as unknown as Doc).__before = true));
  await submit();
  await page.waitForFunction(() => {
    const w = globalThis as unknown as Doc;
    return w.__before !== true && w.document.readyState !== 'loading';
  });
}

/** Types the email and password and presses Enter, by keyboard, as a person would. */
export async function signInWithPassword(page: Page, url: string, login: DemoLogin): Promise<void> {
  await page.goto(`${url}/login`);
  await page.getByLabel('Email address').fill(login.email);
  await page.getByLabel('Password').fill(login.password);
  await submitAndWait(page, () => page.keyboard.press('Enter'));
  await page.waitForLoadState('domcontentloaded');
}

export async function expectHeading(page: Page, text: string | RegExp): Promise<void> {
  await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toMatch(text);
}
