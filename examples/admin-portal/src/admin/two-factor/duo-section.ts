/**
 * What the Duo part of the page adds to the generic settings form: which version is in use and
 * which credentials it needs, the WHMCS admin username preset (`{email}:{email}:{licenseKey}`),
 * a note while the emulator stands in, and the legacy-to-Universal upgrade check (provider-duo's
 * `planUniversalUpgrade`, which reports no secret).
 */
import { planUniversalUpgrade } from '@factorkit/provider-duo';
import { e } from '../../http/html.js';
import type { Portal } from '../../portal.js';
import { duoEmulated, effectiveDocument, type RawConfig } from '../../twofactor/deployment.js';
import { providerEntries } from './document-edit.js';

export const WHMCS_ADMIN_USERNAME = '{email}:{email}:{licenseKey}';
export const PRESET_BUTTON = 'whmcs-admin';

/** The posted map text with the admin line set to the WHMCS format (other lines kept). */
export function withWhmcsPreset(mapText: string): string {
  const lines = mapText
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '' && l.split('=')[0]!.trim() !== 'admin');
  return [`admin = ${WHMCS_ADMIN_USERNAME}`, ...lines].join('\n');
}

export function duoIntro(doc: RawConfig, portal: Portal): string {
  const settings = providerEntries(doc)['duo']?.settings ?? {};
  const legacy = settings['version'] === 'legacy';
  const version = legacy
    ? 'Legacy Auth API (push, passcode, phone or SMS from this site; needs the Integration Key, Secret Key and API hostname).'
    : "Universal Prompt (a redirect to Duo's page and back; needs the Client ID, Client Secret, API hostname and redirect URL).";
  const emulated =
    portal.demo && duoEmulated(doc)
      ? `<p class="demo">The Duo emulator is in use: no ${legacy ? 'Integration Key and Secret Key' : 'Client ID and Client Secret'} are set, so this portal's offline Duo emulator answers (its API hostname and keys are filled in at run time and not shown here). Enter real credentials to use Duo.</p>`
      : '';
  return `<p>Version in use: <strong>${e(version)}</strong></p>${emulated}`;
}

/** Field notes while the emulator fills the connection fields in. */
export function duoNotes(doc: RawConfig, portal: Portal): Record<string, string> | undefined {
  if (!portal.demo || !duoEmulated(doc)) return undefined;
  const note = 'While no credentials are set, the Duo emulator supplies this.';
  return { apiHost: note, allowCustomApiHost: note, caPem: note };
}

export function presetControl(): string {
  return `<p><button type="submit" name="preset" value="${PRESET_BUTTON}" class="secondary">Fill in the WHMCS admin username format (${e(WHMCS_ADMIN_USERNAME)})</button></p>`;
}

export interface UpgradeInput {
  clientId: string;
  clientSecret: string;
  redirectUrl: string;
  apiHost: string;
}

export type UpgradeReport = Awaited<ReturnType<typeof planUniversalUpgrade>>;

/**
 * The upgrade plan for the running legacy settings. With the emulator in use and no Client ID
 * typed, the emulator's own Web SDK application is checked (a demo has no Duo account).
 */
export async function checkUpgrade(
  portal: Portal,
  doc: RawConfig,
  input: UpgradeInput,
): Promise<UpgradeReport> {
  const effective = effectiveDocument(doc, portal.demo, undefined);
  const legacy = { ...(providerEntries(effective)['duo']?.settings ?? {}) };
  const useEmulator = portal.demo !== undefined && duoEmulated(doc) && input.clientId === '';
  const app = portal.demo?.duo.webSdkApp;
  const next = {
    clientId: useEmulator && app ? app.clientId : input.clientId,
    clientSecret: useEmulator && app ? app.clientSecret : input.clientSecret,
    redirectUrl: input.redirectUrl,
    ...(input.apiHost !== '' ? { apiHost: input.apiHost } : {}),
  };
  const { settings: _secretBearing, ...plan } = await planUniversalUpgrade(legacy, next, {
    check: true,
  });
  return plan;
}

export function renderUpgrade(
  csrf: string,
  doc: RawConfig,
  portal: Portal,
  typed: Partial<UpgradeInput>,
  report: UpgradeReport | undefined,
): string {
  const settings = providerEntries(doc)['duo']?.settings ?? {};
  if (settings['version'] !== 'legacy') return '';
  const redirect =
    typed.redirectUrl ??
    (typeof settings['redirectUrl'] === 'string'
      ? settings['redirectUrl']
      : `${portal.origin}${portal.prefix}/callback/duo`);
  const emulatorHint =
    portal.demo && duoEmulated(doc)
      ? `<p class="hint">Demo: leave the Client ID empty to check the emulator's Web SDK application.</p>`
      : '';
  const result = report
    ? `<div role="status" id="upgrade-result"><p><strong>${report.ready ? 'Ready: these credentials work with the Universal Prompt.' : 'Not ready.'}</strong></p>` +
      `<ul>${report.explanation.map((l) => `<li>${e(l)}</li>`).join('')}` +
      report.issues.map((i) => `<li>Problem: ${e(i.path)}: ${e(i.message)}</li>`).join('') +
      (report.health && !report.health.ok && report.health.detail
        ? `<li>Health check: ${e(report.health.detail)}</li>`
        : '') +
      `</ul></div>`
    : '';
  const input = (id: string, label: string, name: keyof UpgradeInput, type = 'text', value = '') =>
    `<label for="${id}">${e(label)}</label><input type="${type}" id="${id}" name="${name}" value="${e(value)}"${type === 'password' ? ' autocomplete="new-password"' : ''}>`;
  return (
    `<h3 id="h-duo-upgrade">Upgrade to the Universal Prompt</h3>` +
    `<form method="post" action="/admin/two-factor/duo/upgrade-check" novalidate aria-labelledby="h-duo-upgrade"><input type="hidden" name="_csrf" value="${e(csrf)}">` +
    `<p>Checks a Web SDK application's credentials against Duo before you switch. Nothing is saved.</p>${emulatorHint}` +
    input('u-clientId', 'Client ID', 'clientId', 'text', typed.clientId ?? '') +
    input('u-clientSecret', 'Client Secret', 'clientSecret', 'password') +
    input('u-redirectUrl', 'Redirect URL', 'redirectUrl', 'text', redirect) +
    input(
      'u-apiHost',
      'API hostname (empty: the current one)',
      'apiHost',
      'text',
      typed.apiHost ?? '',
    ) +
    `<button type="submit">Check the upgrade</button></form>${result}`
  );
}
