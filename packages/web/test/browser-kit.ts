/**
 * What a browser test needs: Debian's Chromium through playwright-core (never a downloaded
 * build), and the keyboard helpers a person's Tab and focus are checked with.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

export const CHROMIUM = process.env['FACTORKIT_TEST_CHROMIUM'] ?? '/usr/bin/chromium';

/**
 * Whether this run can use Chromium. Outside CI a missing one skips the file with the reason
 * printed; under CI=true it fails.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  const reason = `Chromium not found at ${CHROMIUM} (install it with: apt-get install -y chromium)`;
  if (process.env['CI'] === 'true')
    throw new Error(`CI=true requires Chromium for the browser test. ${reason}`);
  console.warn(`SKIPPED (not CI): ${reason}`);
  return false;
}

/** Chromium headless, with no network of its own; `extraArgs` for a test's own flags. */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
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
      ...extraArgs,
    ],
  });
}

/**
 * Whether `locator` has the keyboard focus, waiting up to `tries` × 50 ms: Chromium applies
 * `autofocus` at its next rendering step, which may come after the load event.
 */
export async function isFocused(locator: Locator, tries = 40): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    // Runs in the page; the tests' TypeScript has no DOM library, hence the cast.
    const focused = await locator.evaluate(
      (el) =>
        el ===
        (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement,
    );
    if (focused) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/** Presses Tab until `target` has the focus (at most `maxTabs` times), as a keyboard user would. */
export async function tabTo(page: Page, target: Locator, maxTabs = 12): Promise<void> {
  // The first look lets autofocus settle a little; after a Tab the focus moves at once.
  if (await isFocused(target, 10)) return;
  for (let i = 0; i < maxTabs; i++) {
    await page.keyboard.press('Tab');
    if (await isFocused(target, 4)) return;
  }
  throw new Error('Tab never reached the element');
}
