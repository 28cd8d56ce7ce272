/**
 * `duo plan-upgrade`: provider-duo's `planUniversalUpgrade` on the deployment's legacy Auth API
 * settings and the new Web SDK application's credentials. The plan's `settings` holds the new
 * Client Secret, so it is never printed: the operator gets the masked `proposed` settings and a
 * snippet for the deployment file that references the secret by its environment variable.
 */
import type { planUniversalUpgrade } from '@factorkit/provider-duo';
import { loadDeployment, type LoadedModule } from '../load.js';
import { CliError, EXIT } from '../output.js';

export interface PlanUpgradeOptions {
  clientId: string;
  /** The environment variable holding the Client Secret (never the secret on argv). */
  clientSecretEnv: string;
  redirectUrl: string;
  apiHost?: string;
  /** False with `--no-check`: validate only, no call to Duo. */
  check: boolean;
}

type Planner = typeof planUniversalUpgrade;
type UniversalCredentials = Parameters<Planner>[1];

/** provider-duo is an optional peer: a host without Duo does not install it. */
async function planner(): Promise<Planner> {
  try {
    return (await import('@factorkit/provider-duo')).planUniversalUpgrade;
  } catch {
    throw new CliError(
      'DUO_NOT_INSTALLED',
      'duo plan-upgrade needs @factorkit/provider-duo installed beside @factorkit/cli',
      EXIT.unavailable,
    );
  }
}

function clientSecretFrom(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '')
    throw new CliError(
      'SECRET_ENV_MISSING',
      `--client-secret-env ${name}: that environment variable is not set`,
      EXIT.usage,
    );
  return value;
}

/** The deployment's Duo settings as plain data (a class instance carries unset fields too). */
function legacySettings(m: LoadedModule): Record<string, unknown> {
  const duo = loadDeployment(m).providers['duo'];
  if (!duo)
    throw new CliError(
      'UNKNOWN_PROVIDER',
      'the deployment config has no providers.duo: nothing to upgrade',
      EXIT.usage,
    );
  return Object.fromEntries(
    Object.entries(duo.settings as Record<string, unknown>).filter(([, v]) => v !== undefined),
  );
}

export async function duoPlanUpgrade(m: LoadedModule, o: PlanUpgradeOptions) {
  const plan = await planner();
  const legacy = legacySettings(m);
  const secret = clientSecretFrom(o.clientSecretEnv);
  const next: UniversalCredentials = {
    clientId: o.clientId,
    clientSecret: secret,
    redirectUrl: o.redirectUrl,
    ...(o.apiHost !== undefined ? { apiHost: o.apiHost } : {}),
  };
  const { settings: _withSecret, ...shown } = await plan(legacy, next, { check: o.check });
  const valid = shown.issues.length === 0;
  const usable = shown.ready || (valid && !o.check);
  // What to paste into the deployment file (only settings worth saving): the secret stays an
  // environment reference (CF-03).
  const deploymentSettings = usable
    ? { ...shown.proposed, clientSecret: { $env: o.clientSecretEnv } }
    : undefined;
  const text = [
    ...shown.explanation.map((line) => `- ${line}`),
    ...shown.issues.map((i) => `problem: ${i.path}: ${i.message}`),
    ...(shown.health && !shown.health.ok && shown.health.detail
      ? [`health check: ${shown.health.detail}`]
      : []),
    ...(deploymentSettings
      ? ['', 'providers.duo.settings:', JSON.stringify(deploymentSettings, null, 2)]
      : []),
    '',
    shown.ready
      ? 'ready: save these settings and deploy'
      : valid && !o.check
        ? 'valid; Duo was not asked (--no-check)'
        : 'not ready',
  ].join('\n');
  return {
    result: { ...shown, deploymentSettings: deploymentSettings ?? null },
    text,
    passed: usable,
  };
}
