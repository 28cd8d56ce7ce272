/**
 * The admin's Two Factor Authentication page in Chromium, by what a person sees: a Duo form with
 * bad values is refused by core's deployment-config rules with each problem under its field
 * and in the summary, the other typed values kept, the secret not, and the running setup
 * unchanged (CF-01); secrets are write-only (CF-05's rule on the page: never rendered, "set" or
 * "not set", an empty field keeps the stored value, "clear" removes it); a deactivated provider
 * leaves the sign-in pages at once; every form refuses a post without its CSRF token (FL-12).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumAvailable,
  expectHeading,
  isFocused,
  launchChromium,
  screenshotOnFailure,
  signInWithPassword,
} from './support/browser.js';
import {
  auditRows,
  openTwoFactorSettings,
  region,
  storedDocument,
} from './support/admin-two-factor.js';
import { startPortalProcess, type PortalProcess } from './support/portal-process.js';

const SECRET = 'S3cretS3cretS3cretS3cretS3cretS3cretS3cr'; // 40 characters, as Duo's are

describe.runIf(chromiumAvailable())('admin: Two Factor Authentication settings', () => {
  let portal: PortalProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    portal = await startPortalProcess();
    browser = await launchChromium();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
  });
  afterEach(async (ctx) => {
    await screenshotOnFailure(page, ctx.task);
    await context?.close();
  });

  async function adminPage(): Promise<void> {
    context = await browser.newContext();
    page = await context.newPage();
    await openTwoFactorSettings(page, portal);
  }

  it('CF-01: bad Duo values are refused by field, the other typed values kept, the running setup unchanged', async () => {
    await adminPage();
    const before = storedDocument(portal);
    const duo = region(page, 'Duo Security');
    await duo.getByLabel('Client ID', { exact: true }).fill('too-short');
    await duo.getByLabel(/^Client Secret/).fill(SECRET);
    await duo.getByLabel('API hostname', { exact: true }).fill('api-evil.example.com');
    await duo.getByLabel('Request timeout (ms)').fill('9000');
    await duo.getByRole('button', { name: 'Save Duo Security settings' }).click();

    const alert = page.locator('#save-problems');
    await expect.poll(() => alert.textContent()).toContain('The settings were not saved');
    expect(await alert.getAttribute('role')).toBe('alert');
    // The summary links to each field; each field carries its own message.
    const clientId = region(page, 'Duo Security').getByLabel('Client ID', { exact: true });
    const apiHost = region(page, 'Duo Security').getByLabel('API hostname', { exact: true });
    await alert.getByRole('link', { name: /^Client ID:/ }).click();
    expect(await isFocused(clientId)).toBe(true);
    expect(await clientId.getAttribute('aria-invalid')).toBe('true');
    const idError = await page
      .locator(`#${(await clientId.getAttribute('aria-describedby'))!.split(' ').pop()!}`)
      .textContent();
    expect(idError).toMatch(/20 characters/);
    expect(await apiHost.getAttribute('aria-invalid')).toBe('true');
    await expect.poll(() => alert.getByRole('link', { name: /^API hostname:/ }).count()).toBe(1);
    // What was typed is still there, except the secret, which is never sent back.
    expect(await clientId.inputValue()).toBe('too-short');
    expect(await apiHost.inputValue()).toBe('api-evil.example.com');
    expect(await region(page, 'Duo Security').getByLabel('Request timeout (ms)').inputValue()).toBe(
      '9000',
    );
    expect(
      await region(page, 'Duo Security')
        .getByLabel(/^Client Secret/)
        .inputValue(),
    ).toBe('');
    expect(await page.content()).not.toContain(SECRET);

    // Nothing stored, nothing changed: the emulator still answers and a sign-in works as before.
    expect(storedDocument(portal)).toEqual(before);
    await page.goto(`${portal.url}/admin/two-factor`);
    expect(
      await region(page, 'Duo Security').getByLabel('Client ID', { exact: true }).inputValue(),
    ).toBe('');
    expect(await page.getByRole('note').textContent()).toContain('offline Duo emulator');
    // The stand-ins' connection fields are filled in at run time, never shown as the admin's.
    expect(
      await region(page, 'Duo Security').getByLabel('API hostname', { exact: true }).inputValue(),
    ).toBe('');
    expect(await region(page, 'Duo Security').textContent()).toContain(
      'The Duo emulator is in use',
    );
    expect(await region(page, 'YubiKey').textContent()).toContain(
      'The offline YubiCloud is in use',
    );
    expect(await region(page, 'YubiKey').getByLabel('Validation servers').inputValue()).toBe(
      'https://api.yubico.com/wsapi/2.0/verify',
    );
    const other = await browser.newContext();
    const clientPage = await other.newPage();
    await signInWithPassword(clientPage, portal.url, portal.client1);
    await expectHeading(clientPage, /Welcome back/);
    await other.close();
  });

  it('CF-05: a secret is write-only: never in the page, shown as set, kept when left empty, removed by "clear"', async () => {
    await adminPage();
    const duo = () => region(page, 'Duo Security');
    await duo().getByLabel('Client ID', { exact: true }).fill('DIWJ8X6AEYOR5OMC6TQ1');
    await duo()
      .getByLabel(/^Client Secret/)
      .fill(SECRET);
    await duo().getByLabel('API hostname', { exact: true }).fill('api-1a2b3c4d.duosecurity.com');
    await duo().getByRole('button', { name: 'Save Duo Security settings' }).click();
    await expect
      .poll(() => page.locator('#saved-notice').textContent())
      .toContain('Duo Security settings saved');
    expect(await page.content()).not.toContain(SECRET);
    expect(
      await duo()
        .getByLabel(/^Client Secret/)
        .inputValue(),
    ).toBe('');
    expect(
      await duo().locator('label', { hasText: 'Client Secret' }).first().textContent(),
    ).toContain('(set)');
    // Real credentials now: the page no longer says the emulator answers for Duo.
    expect(await page.getByRole('note').textContent()).not.toContain('Duo emulator');
    // The audit row names the changed paths, never the secret.
    const audit = auditRows(portal, 'config.changed');
    expect(audit.at(-1)!.detail).toContain('providers.duo.settings.clientSecret');
    expect(audit.map((r) => r.detail).join('\n')).not.toContain(SECRET);

    // Saved again with the secret field empty: the stored secret stays.
    await duo().getByLabel('Request timeout (ms)').fill('9000');
    await duo().getByRole('button', { name: 'Save Duo Security settings' }).click();
    await expect.poll(() => page.locator('#saved-notice').textContent()).toContain('saved');
    const stored = storedDocument(portal);
    const kept = stored.document as {
      providers: { duo: { settings: Record<string, unknown> } };
    };
    expect(kept.providers.duo.settings['clientSecret']).toBe(SECRET);
    // The row itself is sealed with the key ring: a database dump does not show the secret (PT-05).
    expect(stored.sealed).not.toContain(SECRET);
    expect(stored.sealed).toMatch(/^fk1\./);
    expect(kept.providers.duo.settings['requestTimeoutMs']).toBe(9000);
    expect(
      await duo().locator('label', { hasText: 'Client Secret' }).first().textContent(),
    ).toContain('(set)');

    // "Clear" removes the credentials: back to the emulator.
    await duo().getByLabel('Client ID', { exact: true }).fill('');
    await duo().getByLabel('API hostname', { exact: true }).fill('');
    await duo().getByLabel('Clear the stored Client Secret').check();
    await duo().getByRole('button', { name: 'Save Duo Security settings' }).click();
    await expect.poll(() => page.locator('#saved-notice').textContent()).toContain('saved');
    expect(
      await duo().locator('label', { hasText: 'Client Secret' }).first().textContent(),
    ).toContain('(not set)');
    const cleared = storedDocument(portal).document as {
      providers: { duo: { settings: Record<string, unknown> } };
    };
    expect(cleared.providers.duo.settings).not.toHaveProperty('clientSecret');
    expect(await page.getByRole('note').textContent()).toContain('offline Duo emulator');
  });

  it('deactivating a provider, or its use by clients, takes it off the sign-in pages without a restart', async () => {
    await adminPage();
    // Clients must set up a factor: the sign-in then lists the providers they may choose.
    const enforcement = region(page, 'Enforcement');
    await enforcement.getByLabel('Force Client Users to enable 2FA on next login').check();
    await enforcement.getByRole('button', { name: 'Save enforcement' }).click();
    await expectHeading(page, 'Confirm the enforcement change');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => page.locator('#saved-notice').textContent())
      .toContain('Enforcement saved');

    const client = await browser.newContext();
    const clientPage = await client.newPage();
    await signInWithPassword(clientPage, portal.url, portal.client2);
    await expectHeading(clientPage, 'Set up two-factor authentication');
    expect(await clientPage.getByRole('button', { name: 'Set up YubiKey' }).count()).toBe(1);
    await client.close();

    await region(page, 'YubiKey').getByRole('button', { name: 'Deactivate YubiKey' }).click();
    await expect
      .poll(() => page.locator('#saved-notice').textContent())
      .toContain('YubiKey deactivated');
    expect(await region(page, 'YubiKey').textContent()).toContain('Not active');

    const again = await browser.newContext();
    const againPage = await again.newPage();
    await signInWithPassword(againPage, portal.url, portal.client2);
    await expectHeading(againPage, 'Set up two-factor authentication');
    const choices = await againPage.getByRole('button', { name: /^Set up / }).allTextContents();
    expect(choices).not.toContain('Set up YubiKey');
    expect(choices).toContain('Set up authenticator app');
    expect(choices).toContain('Set up Duo');
    await again.close();

    // "Enable for use by Clients" off for Duo: clients are no longer offered it (admins still are).
    await region(page, 'Duo Security').getByLabel('Enable for use by Clients').uncheck();
    await region(page, 'Duo Security')
      .getByRole('button', { name: 'Save Duo Security settings' })
      .click();
    await expect
      .poll(() => page.locator('#saved-notice').textContent())
      .toContain('Duo Security settings saved');
    expect(
      await region(page, 'Duo Security').getByLabel('Enable for use by Clients').isChecked(),
    ).toBe(false);
    const third = await browser.newContext();
    const thirdPage = await third.newPage();
    await signInWithPassword(thirdPage, portal.url, portal.client2);
    await expectHeading(thirdPage, 'Set up two-factor authentication');
    expect(
      await thirdPage.getByRole('button', { name: /^Set up / }).allTextContents(),
    ).not.toContain('Set up Duo');
    await third.close();
    await region(page, 'Duo Security').getByLabel('Enable for use by Clients').check();
    await region(page, 'Duo Security')
      .getByRole('button', { name: 'Save Duo Security settings' })
      .click();
    await expect.poll(() => page.locator('#saved-notice').textContent()).toContain('saved');

    // Put it back for the other tests, and turn the forcing off again.
    await region(page, 'YubiKey').getByRole('button', { name: 'Activate YubiKey' }).click();
    await expect
      .poll(() => page.locator('#saved-notice').textContent())
      .toContain('YubiKey activated');
    await region(page, 'Enforcement')
      .getByLabel('Force Client Users to enable 2FA on next login')
      .uncheck();
    await region(page, 'Enforcement').getByRole('button', { name: 'Save enforcement' }).click();
    await expect
      .poll(() => page.locator('#saved-notice').textContent())
      .toContain('Enforcement saved');
  });

  it('FL-12: every form of the page refuses a post without its CSRF token, and changes nothing', async () => {
    await adminPage();
    const before = storedDocument(portal);
    const cookies = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const forms: string[] = [];
    for (const form of await page.locator('main form').all())
      forms.push((await form.getAttribute('action'))!);
    expect(forms.length).toBeGreaterThanOrEqual(9);
    for (const action of new Set(forms)) {
      const res = await fetch(`${portal.url}${action}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookies },
        body: new URLSearchParams({ active: 'off', 'client.force': 'on', confirmed: '1' }),
        redirect: 'manual',
      });
      expect(res.status, action).toBe(403);
      expect(await res.text()).toContain('This form has expired');
    }
    expect(storedDocument(portal)).toEqual(before);
  });
});
