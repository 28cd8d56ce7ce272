/**
 * The routes of the admin page (all behind the admin guard and the portal's CSRF check):
 * GET shows it; each form posts to its own route, which builds the new document, saves it
 * through `saveDocument` (step-up, core's validation, audit) and redirects back (post/redirect/
 * get), or shows the page again with the problems by field and what was typed.
 */
import type { ConfigIssue } from '@factorkit/core';
import type { Request, Response, Router } from 'express';
import { userOf } from '../../http/guards.js';
import type { Portal } from '../../portal.js';
import type { PortalUser } from '../../users/user-store.js';
import {
  audienceNames,
  audiencePolicies,
  providerEntries,
  withAudiencePolicy,
  withProvider,
} from './document-edit.js';
import { dryRun, needsDryRun, renderConfirm } from './dry-run.js';
import { checkUpgrade, PRESET_BUTTON, withWhmcsPreset } from './duo-section.js';
import { errorsByField, placeIssues, summaryAlert } from './issues-view.js';
import { renderTwoFactorPage, type PageState } from './page.js';
import { locatePolicyIssue, policyPostedValues, readPolicy } from './policy-section.js';
import { locateProviderIssue, readProviderForm } from './provider-section.js';
import { postedVersion, saveDocument, withVersionField } from './save.js';
import { formFields } from './schema-form.js';
import { csrfTokenOf } from '../../http/csrf.js';
import { e } from '../../http/html.js';
import { renderPage } from '../../http/render.js';

const BASE = '/admin/two-factor';

function bodyOf(req: Request): Record<string, unknown> {
  return (req.body ?? {}) as Record<string, unknown>;
}

function saved(req: Request, res: Response, message: string): void {
  req.session.flash = { kind: 'notice', message };
  res.redirect(303, BASE);
}

/** Issues placed on the page: located in the posted section first, then anywhere on it. */
function locator(portal: Portal) {
  return (path: string) => {
    const policy = locatePolicyIssue(path);
    if (policy) return policy;
    const m = /^providers\.([^.]+)/.exec(path);
    if (!m || !portal.registry.ids().includes(m[1]!)) return undefined;
    const fields = formFields(portal.registry.get(m[1]!).configSchema);
    return locateProviderIssue(m[1]!, fields, path);
  };
}

function refusedAlert(portal: Portal, issues: readonly ConfigIssue[]) {
  const placed = placeIssues(issues, locator(portal));
  return {
    alert: summaryAlert(
      `The settings were not saved (${placed.length} problem${placed.length === 1 ? '' : 's'}); the running settings are unchanged.`,
      placed,
    ),
    byField: errorsByField(placed),
  };
}

async function postProvider(portal: Portal, req: Request, res: Response, admin: PortalUser) {
  const id = String(req.params['id']);
  const build = await portal.live.current();
  const entry = providerEntries(build.document)[id];
  if (!portal.registry.ids().includes(id) || entry === undefined)
    return res.status(404).type('text').send('No such provider');
  const body = bodyOf(req);
  const settingsClass = portal.registry.get(id).configSchema;
  const read = readProviderForm(settingsClass, entry, audienceNames(build.document), body);
  if (id === 'duo' && body['preset'] === PRESET_BUTTON) {
    const values = { ...read.values };
    values['usernameTemplate'] = withWhmcsPreset(String(values['usernameTemplate'] ?? ''));
    return renderTwoFactorPage(portal, req, res, admin, {
      notice: 'The WHMCS admin username format is filled in below. Save to apply it.',
      provider: { id, values, audiences: read.ticked, errors: {} },
    });
  }
  const refuse = async (issues: readonly ConfigIssue[], alertOverride?: string) => {
    const { alert, byField } = refusedAlert(portal, issues);
    const fields = formFields(settingsClass);
    const errors: Record<string, string> = {};
    for (const issue of issues) {
      const at = locateProviderIssue(id, fields, issue.path);
      if (at) errors[at.key] = byField.get(at.fieldId) ?? issue.message;
    }
    await renderTwoFactorPage(portal, req, res, admin, {
      status: 422,
      alert: alertOverride ?? alert,
      provider: { id, values: read.values, audiences: read.ticked, errors },
    });
  };
  const problems = Object.entries(read.problems).map(([name, message]) => ({
    path: `providers.${id}.settings.${name}`,
    message,
  }));
  if (problems.length > 0) return refuse(problems);
  const result = await saveDocument(
    portal,
    req,
    admin,
    withProvider(build.document, id, () => read.entry),
  );
  if (result.ok) return saved(req, res, `${portal.registry.get(id).displayName} settings saved.`);
  if (result.reason === 'step-up') return refuse([], stepUpAlert(result.message));
  return refuse(result.issues);
}

function stepUpAlert(message: string): string {
  return `<div role="alert" id="save-problems" class="problems"><p><strong>Not saved.</strong> ${e(message)} <a href="/2fa/account">Go to Security settings</a></p></div>`;
}

async function postActive(portal: Portal, req: Request, res: Response, admin: PortalUser) {
  const id = String(req.params['id']);
  const build = await portal.live.current();
  if (!portal.registry.ids().includes(id) || providerEntries(build.document)[id] === undefined)
    return res.status(404).type('text').send('No such provider');
  const on = bodyOf(req)['active'] === 'on';
  const next = withProvider(build.document, id, (entry) => ({ ...entry, enabled: on }));
  const result = await saveDocument(portal, req, admin, next);
  const name = portal.registry.get(id).displayName;
  if (result.ok) return saved(req, res, `${name} ${on ? 'activated' : 'deactivated'}.`);
  if (result.reason === 'step-up')
    return renderTwoFactorPage(portal, req, res, admin, {
      status: 403,
      alert: stepUpAlert(result.message),
    });
  const { alert } = refusedAlert(portal, result.issues);
  return renderTwoFactorPage(portal, req, res, admin, { status: 422, alert });
}

async function postPolicy(portal: Portal, req: Request, res: Response, admin: PortalUser) {
  const build = await portal.live.current();
  const body = bodyOf(req);
  const audiences = audienceNames(build.document);
  const values = policyPostedValues(audiences, body);
  let next = build.document;
  for (const a of audiences)
    next = withAudiencePolicy(next, a, (p) => readPolicy(a, p, values[a]!));
  const refuse = async (state: PageState) =>
    renderTwoFactorPage(portal, req, res, admin, {
      ...state,
      policy: { values, errors: state.policy?.errors ?? new Map<string, string>() },
    });
  // Validate before the dry run: the confirm page only ever shows a change that could be saved.
  const checked = portal.live.check(next);
  if (!checked.ok) {
    const { alert, byField } = refusedAlert(portal, checked.issues);
    return refuse({ status: 422, alert, policy: { values, errors: byField } });
  }
  if (
    body['confirmed'] !== '1' &&
    needsDryRun(audiencePolicies(build.document), audiencePolicies(next))
  ) {
    const report = await dryRun(portal, audiencePolicies(next));
    return renderPage(portal, req, res, {
      title: 'Confirm the enforcement change',
      user: admin,
      // The confirm form keeps the version the admin's own form was drawn from.
      main: withVersionField(
        renderConfirm(csrfTokenOf(req), report, values),
        csrfTokenOf(req),
        postedVersion(req) ?? '',
      ),
    });
  }
  const result = await saveDocument(portal, req, admin, next);
  if (result.ok) return saved(req, res, 'Enforcement saved.');
  if (result.reason === 'step-up')
    return refuse({ status: 403, alert: stepUpAlert(result.message) });
  const { alert, byField } = refusedAlert(portal, result.issues);
  return refuse({ status: 422, alert, policy: { values, errors: byField } });
}

async function postUpgradeCheck(portal: Portal, req: Request, res: Response, admin: PortalUser) {
  const body = bodyOf(req);
  const text = (k: string) => (typeof body[k] === 'string' ? body[k].trim() : '');
  const typed = {
    clientId: text('clientId'),
    redirectUrl: text('redirectUrl'),
    apiHost: text('apiHost'),
  };
  const build = await portal.live.current();
  const report = await checkUpgrade(portal, build.document, {
    ...typed,
    clientSecret: text('clientSecret'),
  });
  // The typed secret is not shown again (write-only), only what the plan reports.
  return renderTwoFactorPage(portal, req, res, admin, { upgrade: { typed, report } });
}

export function registerTwoFactorSettings(admin: Router, portal: Portal): void {
  const wrap =
    (run: (portal: Portal, req: Request, res: Response, user: PortalUser) => Promise<unknown>) =>
    (req: Request, res: Response, next: (err?: unknown) => void) => {
      run(portal, req, res, userOf(res)).catch(next);
    };
  admin.get(
    '/two-factor',
    wrap(async (p, req, res, user) => {
      const flash = req.session.flash;
      delete req.session.flash;
      await renderTwoFactorPage(
        p,
        req,
        res,
        user,
        flash?.kind === 'notice' ? { notice: flash.message } : {},
      );
    }),
  );
  admin.post('/two-factor/providers/:id', wrap(postProvider));
  admin.post('/two-factor/providers/:id/active', wrap(postActive));
  admin.post('/two-factor/policy', wrap(postPolicy));
  admin.post('/two-factor/duo/upgrade-check', wrap(postUpgradeCheck));
}
