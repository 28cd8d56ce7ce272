/**
 * The whole "Configuration › System Settings › Two Factor Authentication" page: provider health,
 * enforcement, each provider's part and the demo services. After a refused save it shows the
 * summary alert at the top and the section that was posted with what was typed.
 */
import { withVersionField } from './save.js';
import type { Request, Response } from 'express';
import { csrfTokenOf } from '../../http/csrf.js';
import { e } from '../../http/html.js';
import { renderPage } from '../../http/render.js';
import type { Portal } from '../../portal.js';
import type { PortalUser } from '../../users/user-store.js';
import { audienceNames, audiencePolicies, providerEntries } from './document-edit.js';
import {
  duoIntro,
  duoNotes,
  presetControl,
  renderUpgrade,
  type UpgradeInput,
  type UpgradeReport,
} from './duo-section.js';
import { demoServices, yubikeyIntro, yubikeyNotes } from './stand-ins.js';
import { policyDisplayValues, renderPolicySection, type PolicyValues } from './policy-section.js';
import { renderProviderSection } from './provider-section.js';
import type { FormValues } from './schema-form.js';

export interface PageState {
  readonly status?: number;
  /** A one-line success message ("Saved."). */
  readonly notice?: string;
  /** The summary alert's HTML (already escaped), shown first. */
  readonly alert?: string;
  readonly provider?: {
    id: string;
    values: FormValues;
    audiences: readonly string[];
    errors: Record<string, string>;
  };
  readonly policy?: { values: PolicyValues; errors: Map<string, string> };
  readonly upgrade?: { typed: Partial<UpgradeInput>; report: UpgradeReport | undefined };
}

async function healthTable(portal: Portal): Promise<string> {
  const build = await portal.live.current();
  const health = await build.service.health();
  const rows = Object.entries(health)
    .map(
      ([id, h]) =>
        `<tr><td>${e(portal.registry.get(id).displayName)}</td><td>${h.healthy ? 'Healthy' : 'Not reachable'}</td><td>${e(h.detail ?? '')}</td></tr>`,
    )
    .join('');
  return (
    `<section aria-labelledby="h-health"><h2 id="h-health">Provider health</h2>` +
    `<table><thead><tr><th scope="col">Provider</th><th scope="col">Status</th><th scope="col">Detail</th></tr></thead><tbody>${rows}</tbody></table></section>`
  );
}

export async function renderTwoFactorPage(
  portal: Portal,
  req: Request,
  res: Response,
  user: PortalUser,
  state: PageState = {},
): Promise<void> {
  const build = await portal.live.current();
  const doc = build.document;
  const csrf = csrfTokenOf(req);
  const audiences = audienceNames(doc);
  const entries = providerEntries(doc);
  const providers = portal.registry
    .ids()
    .filter((id) => entries[id] !== undefined)
    .map((id) => {
      const posted = state.provider?.id === id ? state.provider : undefined;
      const duo = id === 'duo';
      const notes = duo
        ? duoNotes(doc, portal)
        : id === 'yubikey'
          ? yubikeyNotes(doc, portal)
          : undefined;
      return renderProviderSection({
        id,
        displayName: portal.registry.get(id).displayName,
        settingsClass: portal.registry.get(id).configSchema,
        entry: entries[id]!,
        audiences,
        csrf,
        ...(posted ? { posted: { values: posted.values, audiences: posted.audiences } } : {}),
        errors: posted?.errors ?? {},
        ...(notes ? { notes } : {}),
        ...(duo
          ? {
              intro: duoIntro(doc, portal),
              extraControls: presetControl(),
              after: renderUpgrade(
                csrf,
                doc,
                portal,
                state.upgrade?.typed ?? {},
                state.upgrade?.report,
              ),
            }
          : id === 'yubikey'
            ? { intro: yubikeyIntro(doc, portal) }
            : {}),
      });
    })
    .join('');
  const policy = renderPolicySection(
    csrf,
    state.policy?.values ?? policyDisplayValues(audiencePolicies(doc)),
    state.policy?.errors ?? new Map<string, string>(),
  );
  const notice = state.notice
    ? `<p class="notice" role="status" id="saved-notice">${e(state.notice)}</p>`
    : '';
  await renderPage(portal, req, res, {
    title: 'Two Factor Authentication',
    user,
    ...(state.status ? { status: state.status } : {}),
    main: withVersionField(
      `<p class="breadcrumb">Configuration › System Settings</p><h1>Two Factor Authentication</h1>` +
        (state.alert ?? '') +
        notice +
        `<p>Settings are checked with the deployment-config rules and take effect at once, without a restart. A refused change leaves the running settings as they were.</p>` +
        (await healthTable(portal)) +
        policy +
        providers +
        demoServices(portal),
      csrf,
      build.version,
    ),
  });
}
