/**
 * Settings of the Duo provider for one deployment (`providers.duo.settings`). One flag,
 * `version`, picks the transport: `universal` (Web SDK v4 / Universal Prompt, the default) or
 * `legacy` (Auth API v2). Each version has its own credentials; giving the other version's
 * fields is an error that names both (CF-01). Messages never include a value, so a
 * secret is never echoed even before core's redaction.
 */
import { Field, failmodeForAudience, failmodeProblem, v, type Failmode } from '@factorkit/core';
import {
  apiHostRule,
  caPemRule,
  Check,
  credential,
  factorRule,
  redirectUrlRule,
  templatesRule,
  DUO_VERSIONS,
  type DuoVersion,
  type LegacyFactor,
} from './settings-rules.js';

// The failmode rule is core's, one for every remote-service provider; the names stay exported here.
export { FAILMODES, type Failmode } from '@factorkit/core';
export {
  DUO_API_HOST,
  DUO_VERSIONS,
  LEGACY_FACTORS,
  LEGACY_FIELDS,
  UNIVERSAL_FIELDS,
  type DuoVersion,
  type LegacyFactor,
} from './settings-rules.js';

export class DuoSettings {
  /**
   * Transport: `universal` (Duo Universal Prompt, WHMCS 8.9+) or `legacy` (Auth API v2).
   * @default 'universal'
   */
  @Field({
    label: 'Duo version',
    help: "universal: Duo's Universal Prompt (redirect; Client ID and Client Secret). legacy: the Auth API v2 (push, passcode, phone, SMS from your own page; Integration Key and Secret Key).",
  })
  @v.IsIn([...DUO_VERSIONS], { message: "must be 'universal' or 'legacy'" })
  version: DuoVersion = 'universal';

  /**
   * API hostname of the Duo application, e.g. `api-1a2b3c4d.duosecurity.com`.
   * @default ''
   */
  @Field({ label: 'API hostname', help: 'From the Duo Admin Panel: api-XXXXXXXX.duosecurity.com.' })
  @Check<DuoSettings>('duoApiHost', apiHostRule)
  apiHost: string = '';

  /**
   * Accept an API hostname that is not `api-XXXXXXXX.duosecurity.com` (an emulator or a proxy).
   * @default false
   */
  @Field({
    label: 'Allow a custom API hostname',
    help: 'Only for the factorkit Duo emulator or an explicit proxy.',
  })
  @v.IsBoolean({ message: 'must be true or false' })
  allowCustomApiHost: boolean = false;

  /**
   * A CA certificate (PEM) to trust instead of Duo's pinned CA bundle: for the emulator only.
   * TLS verification always stays on.
   * @default undefined
   */
  @Field({
    label: 'Custom CA (PEM)',
    help: 'Only for the factorkit Duo emulator: its CA certificate. Needs allowCustomApiHost.',
  })
  @Check<DuoSettings>('duoCaPem', caPemRule)
  caPem?: string;

  // ------------------------------------------------------------------ universal

  /** Client ID of the Duo Web SDK application (20 characters). */
  @Field({ label: 'Client ID', help: 'Universal Prompt: the 20-character Client ID.' })
  @Check<DuoSettings>('duoClientId', credential('clientId', 20, 'Client ID'))
  clientId?: string;

  /** Client Secret (40 characters); write-only. */
  @Field({
    label: 'Client Secret',
    help: 'Universal Prompt: the 40-character Client Secret.',
    secret: true,
  })
  @Check<DuoSettings>('duoClientSecret', credential('clientSecret', 40, 'Client Secret'))
  clientSecret?: string;

  /** Where Duo sends the browser back: https (http only for loopback). */
  @Field({
    label: 'Redirect URL',
    help: 'Your callback page, e.g. https://portal.example.com/2fa/duo/callback. Pass its duo_code and state to completeChallenge (state is the challenge id).',
  })
  @Check<DuoSettings>('duoRedirectUrl', redirectUrlRule)
  redirectUrl?: string;

  // ------------------------------------------------------------------ legacy

  /** Integration Key of the Duo Auth API application (20 characters). */
  @Field({ label: 'Integration Key', help: 'Auth API: the 20-character Integration Key.' })
  @Check<DuoSettings>('duoIntegrationKey', credential('integrationKey', 20, 'Integration Key'))
  integrationKey?: string;

  /** Secret Key (40 characters); write-only. */
  @Field({ label: 'Secret Key', help: 'Auth API: the 40-character Secret Key.', secret: true })
  @Check<DuoSettings>('duoSecretKey', credential('secretKey', 40, 'Secret Key'))
  secretKey?: string;

  /**
   * Legacy factor: `auto` (push or call, Duo picks), `push`, `passcode`, `phone`, `sms`.
   * @default undefined ('auto' when version is legacy)
   */
  @Field({
    label: 'Factor',
    help: 'Auth API: auto, push, passcode, phone or sms.',
  })
  @Check<DuoSettings>('duoFactor', factorRule)
  factor?: LegacyFactor;

  /**
   * Auth API signature version: 2 (form bodies, like Duo's Node client) or 5 (JSON bodies).
   * @default 2
   */
  @Field({ label: 'Signature version', help: 'Auth API request signing: 2 or 5.' })
  @v.IsIn([2, 5], { message: 'must be 2 or 5' })
  signatureVersion: 2 | 5 = 2;

  /**
   * Legacy preauth `allow` (a Duo bypass user): let them in without a second factor?
   * Off by default (DA-03): a bypass user is denied.
   * @default false
   */
  @Field({
    label: 'Accept Duo bypass users',
    help: 'When Duo lets a user through without a second factor (bypass status, or a policy allowing unenrolled users), sign them in anyway, recorded as method duo-bypass. Off by default; never at activation.',
  })
  @v.IsBoolean({ message: 'must be true or false' })
  acceptBypass: boolean = false;

  /**
   * Name of the user attribute holding the client IP sent as `ipaddr` (Duo IP policies).
   * @default 'ip'
   */
  @Field({
    label: 'Client IP attribute',
    help: "Auth API: the user attribute (set by the host from its trusted proxy chain) with the client's IP address.",
  })
  @v.Matches(/^[A-Za-z][A-Za-z0-9_]{0,31}$/, { message: 'must be an attribute name' })
  ipAttribute: string = 'ip';

  // ------------------------------------------------------------------ both

  /**
   * Failmode per audience, used only when Duo is unreachable (never for configuration, signature,
   * token or username errors). `*` covers audiences without their own entry, except `admin`,
   * which fails open only when named explicitly.
   * @default {}
   */
  @Field({
    label: 'Failmode',
    help: 'Per audience: closed (default, deny when Duo is down) or open (let the user in without Duo, only when Duo is unreachable, only if they have no other factor, always audited). Example: { "client": "open" }. "*" never applies to admin.',
  })
  @Check<DuoSettings>('duoFailmode', failmodeProblem)
  failmode: Record<string, Failmode> = {};

  /**
   * The username sent to Duo, per audience; `*` for the others. Placeholders: `{username}`,
   * `{email}`, `{id}`, user attributes and deployment constants (e.g. `{licenseKey}`).
   * @default { '*': '{username}' }
   */
  @Field({
    label: 'Duo username',
    help: 'Per audience, e.g. { "*": "{email}", "admin": "{email}:{email}:{licenseKey}" } (the WHMCS admin format).',
  })
  @Check<DuoSettings>('duoUsernameTemplate', templatesRule)
  usernameTemplate: Record<string, string> = { '*': '{username}' };

  /**
   * Lower-case the rendered username (for Duo accounts that match aliases case-insensitively and
   * answer with a lower-cased name).
   * @default false
   */
  @Field({
    label: 'Lower-case usernames',
    help: 'Send the Duo username in lower case. Turn on when Duo answers alias logins with a lower-cased name.',
  })
  @v.IsBoolean({ message: 'must be true or false' })
  lowercaseUsername: boolean = false;

  /**
   * Deadline of each request to Duo (token exchange, Auth API calls), in ms.
   * @default 10000
   */
  @Field({ label: 'Request timeout (ms)' })
  @v.IsInt({ message: 'must be an integer' })
  @v.Min(500, { message: 'must be at least 500' })
  @v.Max(60000, { message: 'must be at most 60000' })
  requestTimeoutMs: number = 10000;

  /**
   * Deadline of the health check, in ms.
   * @default 3000
   */
  @Field({ label: 'Health check timeout (ms)' })
  @v.IsInt({ message: 'must be an integer' })
  @v.Min(200, { message: 'must be at least 200' })
  @v.Max(30000, { message: 'must be at most 30000' })
  healthTimeoutMs: number = 3000;

  /**
   * Total time one interactive call may wait out Duo's 429 answers.
   * @default 8000
   */
  @Field({ label: 'Rate-limit budget (ms)' })
  @v.IsInt({ message: 'must be an integer' })
  @v.Min(0, { message: 'must be at least 0' })
  @v.Max(60000, { message: 'must be at most 60000' })
  rateLimitBudgetMs: number = 8000;

  /**
   * Retries after a 429 within the budget.
   * @default 2
   */
  @Field({ label: 'Retries after 429' })
  @v.IsInt({ message: 'must be an integer' })
  @v.Min(0, { message: 'must be at least 0' })
  @v.Max(6, { message: 'must be at most 6' })
  maxRetries: number = 2;

  /**
   * How long a push (or phone call) may stay unanswered, in seconds (at most 10 minutes,
   * NIST SP 800-63B-4 §3.1.3.2).
   * @default 120
   */
  @Field({ label: 'Push deadline (s)' })
  @v.IsInt({ message: 'must be an integer' })
  @v.Min(15, { message: 'must be at least 15' })
  @v.Max(600, { message: 'must be at most 600 (NIST SP 800-63B-4 §3.1.3.2)' })
  pushDeadlineSeconds: number = 120;

  /**
   * Pushes a user may receive since their last success before waiting (push-bombing cap, BF-05).
   * @default 3
   */
  @Field({ label: 'Pushes before waiting' })
  @v.IsInt({ message: 'must be an integer' })
  @v.Min(1, { message: 'must be at least 1' })
  @v.Max(10, { message: 'must be at most 10' })
  pushLimit: number = 3;

  /**
   * The wait once the push cap is reached, in seconds.
   * @default 900
   */
  @Field({ label: 'Push cap window (s)' })
  @v.IsInt({ message: 'must be an integer' })
  @v.Min(60, { message: 'must be at least 60' })
  @v.Max(86400, { message: 'must be at most 86400' })
  pushWindowSeconds: number = 900;

  /**
   * How often the host should poll a waiting push, in ms.
   * @default 2000
   */
  @Field({ label: 'Poll interval (ms)' })
  @v.IsInt({ message: 'must be an integer' })
  @v.Min(250, { message: 'must be at least 250' })
  @v.Max(10000, { message: 'must be at most 10000' })
  pollIntervalMs: number = 2000;
}

/** The failmode for an audience: its own entry, else `*` (never for `admin`), else closed. */
export function failmodeFor(settings: DuoSettings, audience: string): Failmode {
  return failmodeForAudience(settings.failmode, audience);
}
