/**
 * Upgrade path from the legacy Auth API settings (WHMCS 8.8 and earlier: "Integration Key /
 * Secret Key") to Duo's Universal Prompt (WHMCS 8.9+: "Client ID / Client Secret"). Duo ended
 * its iframe Web SDK v2 prompt on 2024-03-30; the Universal Prompt is the supported web login.
 *
 * `planUniversalUpgrade` inspects a legacy config, explains the move, validates the new settings
 * with the same schema the deployment uses, and checks the new credentials with a live health
 * check. Secrets are never part of the returned report.
 */
import { describeConfig, validateAgainstSchema, type ConfigIssue } from '@factorkit/core';
import { DuoSettings } from './config/settings.js';
import { DuoCallError, classifyNetworkError } from './failure.js';
import { universalCheck } from './universal/universal-flow.js';

export interface UpgradePlan {
  /** True when the settings validate and the health check passed. */
  readonly ready: boolean;
  /** What happens, in plain sentences, for an admin page or a CLI. */
  readonly explanation: readonly string[];
  /** Validation problems of the proposed settings (paths as in the deployment config). */
  readonly issues: readonly ConfigIssue[];
  /** The proposed settings with secrets masked. */
  readonly proposed: Readonly<Record<string, unknown>>;
  /** The new settings to save (secrets included): present only when `ready`. */
  readonly settings?: Readonly<Record<string, unknown>>;
  readonly health?: { readonly ok: boolean; readonly detail?: string };
}

export interface UniversalCredentials {
  clientId: string;
  clientSecret: string;
  redirectUrl: string;
  /** Defaults to the legacy API hostname (Duo shows the same host for both applications). */
  apiHost?: string;
}

export async function planUniversalUpgrade(
  legacy: Readonly<Record<string, unknown>>,
  next: UniversalCredentials,
  options: { check?: boolean; path?: string } = {},
): Promise<UpgradePlan> {
  const explanation: string[] = [];
  const path = options.path ?? 'providers.duo.settings';
  if (legacy['version'] !== 'legacy') {
    explanation.push(
      "This configuration does not use version 'legacy'; nothing to upgrade (it already uses the Universal Prompt).",
    );
  } else {
    explanation.push(
      "Duo ended its iframe prompt (Web SDK v2) on 2024-03-30. The Universal Prompt sends the user to a Duo-hosted page and back to your redirect URL; it is Duo's supported web login, and WHMCS 8.9+ uses it.",
      "In the Duo Admin Panel, protect a 'Web SDK' application and copy its Client ID, Client Secret and API hostname (Integration Key and Secret Key belong to the old Auth API application).",
      "Set version to 'universal', add clientId, clientSecret and redirectUrl, and remove integrationKey, secretKey and factor. Usernames, failmode and the username templates stay the same, and users keep their enrollment: no host code changes.",
      'Register your redirect URL page: it passes duo_code and state to completeChallenge, with state as the challenge id.',
    );
    if (legacy['acceptBypass'] === true)
      explanation.push(
        'acceptBypass carries over: with the Universal Prompt, a Duo answer that let the user through without a second factor (bypass status, unenrolled-user policy) is accepted only with it.',
      );
  }
  const carried: Record<string, unknown> = {};
  for (const [k, value] of Object.entries(legacy)) {
    if (['version', 'integrationKey', 'secretKey', 'factor'].includes(k)) continue;
    carried[k] = value;
  }
  const plain: Record<string, unknown> = {
    ...carried,
    version: 'universal',
    clientId: next.clientId,
    clientSecret: next.clientSecret,
    redirectUrl: next.redirectUrl,
    apiHost: next.apiHost ?? legacy['apiHost'],
  };
  const { value, issues } = validateAgainstSchema(DuoSettings, plain, path);
  const proposed = describeConfig(DuoSettings, value);
  if (issues.length > 0) {
    explanation.push('Fix the problems listed in issues, then run the check again.');
    return { ready: false, explanation, issues, proposed };
  }
  if (options.check === false) {
    return {
      ready: false,
      explanation: [...explanation, 'Health check skipped.'],
      issues,
      proposed,
    };
  }
  try {
    await universalCheck(value);
    explanation.push('Duo accepted the new credentials (health check passed).');
    return { ready: true, explanation, issues, proposed, settings: plain, health: { ok: true } };
  } catch (err) {
    const c = err instanceof DuoCallError ? err : classifyNetworkError(err);
    explanation.push(
      c.kind === 'outage'
        ? 'Duo could not be reached; try the check again later.'
        : 'Duo refused the new credentials: check the Client ID, Client Secret and API hostname.',
    );
    return { ready: false, explanation, issues, proposed, health: { ok: false, detail: c.detail } };
  }
}
