/**
 * Settings of the YubiKey provider for one deployment (`providers.yubikey.settings`). Messages
 * never include a value, so the API key is never echoed even before core's redaction.
 */
import { Field, failmodeForAudience, failmodeProblem, v, type Failmode } from '@factorkit/core';

// The failmode rule is core's, one for every remote-service provider; the names stay exported here.
export { FAILMODES, type Failmode } from '@factorkit/core';

/** YubiCloud's load-balanced endpoint (api2..api5 are deprecated aliases since 2020). */
export const YUBICLOUD_URL = 'https://api.yubico.com/wsapi/2.0/verify';
export const MAX_SERVERS = 5;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

type Rule = (value: unknown, settings: YubikeySettings) => string | null;

/** A validator whose message comes from the same check (never from the value). */
function Check(name: string, rule: Rule): PropertyDecorator {
  return v.ValidateBy({
    name,
    validator: {
      validate: (value, args) => rule(value, args!.object as YubikeySettings) === null,
      defaultMessage: (args) => rule(args!.value, args!.object as YubikeySettings) ?? 'is invalid',
    },
  });
}

function apiKeyRule(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0) return 'is required (the API key, base64)';
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value) || value.length % 4 !== 0)
    return 'must be base64 (the API key shown with the client id)';
  const bytes = Buffer.from(value, 'base64').length;
  if (bytes < 16 || bytes > 64) return 'must decode to 16 to 64 bytes (YubiCloud keys are 20)';
  return null;
}

function urlsRule(value: unknown, s: YubikeySettings): string | null {
  if (!Array.isArray(value) || value.length < 1 || value.length > MAX_SERVERS)
    return `must be a list of 1 to ${MAX_SERVERS} validation server URLs`;
  for (const [i, item] of value.entries()) {
    let url: URL;
    try {
      url = new URL(String(item));
    } catch {
      return `[${i}] is not a URL`;
    }
    if (url.username || url.password || url.search || url.hash)
      return `[${i}] must not carry credentials, a query or a fragment`;
    if (url.protocol === 'https:') continue;
    if (url.protocol === 'http:' && s.allowInsecureHttpForTests === true) {
      if (LOOPBACK.has(url.hostname)) continue;
      return `[${i}] may use http only on a loopback address, and only in tests`;
    }
    return `[${i}] must use https (plain http only with allowInsecureHttpForTests, on loopback)`;
  }
  if (new Set(value.map(String)).size !== value.length) return 'must not list a URL twice';
  return null;
}

export class YubikeySettings {
  /**
   * The client id from https://upgrade.yubico.com/getapikey/ (or the self-hosted yubikey-val
   * client list): 1 to 10 digits, not 0.
   */
  @Field({ label: 'Client ID', help: 'The numeric client id paired with the API key.' })
  @v.IsString({ message: 'must be a string of digits' })
  @v.Matches(/^[1-9][0-9]{0,9}$/, { message: 'must be 1 to 10 digits, not starting with 0' })
  clientId!: string;

  /** The API key (base64) that signs requests and responses. No default. */
  @Field({
    label: 'API key',
    help: 'The base64 secret key paired with the client id. It signs every request and answer.',
    secret: true,
  })
  @Check('yubikeyApiKey', apiKeyRule)
  apiKey!: string;

  /**
   * Validation servers; one request (one nonce) goes to all, the first signed verdict wins.
   * @default ['https://api.yubico.com/wsapi/2.0/verify']
   */
  @Field({
    label: 'Validation servers',
    help: 'Full /wsapi/2.0/verify URLs, https only: YubiCloud or your own yubikey-val servers (1 to 5).',
  })
  @Check('yubikeyApiUrls', urlsRule)
  apiUrls: string[] = [YUBICLOUD_URL];

  /**
   * Lets `apiUrls` name plain-http loopback servers (the offline validation server in tests).
   * Never in production: without TLS a network attacker sees and delays every OTP.
   * @default false
   */
  @Field({
    label: 'Allow http on loopback (tests only)',
    help: 'Tests only: accept http:// validation URLs on localhost, 127.0.0.1 or [::1].',
  })
  @v.IsBoolean({ message: 'must be true or false' })
  allowInsecureHttpForTests: boolean = false;

  /**
   * Deadline of each request to a validation server, in ms.
   * @default 3000
   */
  @Field({ label: 'Request timeout (ms)' })
  @v.IsInt({ message: 'must be an integer' })
  @v.Min(200, { message: 'must be at least 200' })
  @v.Max(30000, { message: 'must be at most 30000' })
  requestTimeoutMs: number = 3000;

  /**
   * Deadline of one whole check across every server, in ms (YK-10).
   * @default 8000
   */
  @Field({ label: 'Overall deadline (ms)' })
  @v.IsInt({ message: 'must be an integer' })
  @v.Min(200, { message: 'must be at least 200' })
  @v.Max(30000, { message: 'must be at most 30000' })
  deadlineMs: number = 8000;

  /**
   * Failmode per audience, used only when every validation server is unreachable (never for a
   * signature, echo or configuration fault). `*` covers audiences without their own entry,
   * except `admin`, which fails open only when named.
   * @default {}
   */
  @Field({
    label: 'Failmode',
    help: 'Per audience: closed (default, deny when the validation servers are down) or open (core may let the user in through failOpen, audited). "*" never applies to admin.',
  })
  @Check('yubikeyFailmode', failmodeProblem)
  failmode: Record<string, Failmode> = {};
}

/** The failmode for an audience: its own entry, else `*` (never for `admin`), else closed. */
export function failmodeFor(settings: YubikeySettings, audience: string): Failmode {
  return failmodeForAudience(settings.failmode, audience);
}

/** YubiCloud's api2..api5 hosts: deprecated aliases of api.yubico.com since 2020 (YK-11). */
export function deprecatedHosts(urls: readonly string[]): string[] {
  return urls.map((u) => new URL(u).hostname).filter((h) => /^api[2-5]\.yubico\.com$/.test(h));
}
