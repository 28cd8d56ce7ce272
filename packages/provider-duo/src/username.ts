/**
 * The username sent to Duo, rendered from a per-audience template (DESIGN.md, Duo). It is built
 * only from the user record and deployment constants, never from login input, and a result with
 * surrounding whitespace, control characters or `|` is refused (DU-03c): such a name could
 * address another Duo account, and `|` was the field separator of Duo's old signed requests.
 *
 * Placeholders: `{username}`, `{email}`, `{id}`, `{displayName}`, then user attributes, then
 * deployment constants (e.g. `{licenseKey}`). The WHMCS admin format is
 * `{email}:{email}:{licenseKey}`.
 */
import { ProviderError, type TwoFactorUser } from '@factorkit/core';

const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9_]{0,63})\}/g;
const MAX_LENGTH = 512;

/** Syntax check at config time (names are resolved at sign-in time). */
export function checkTemplate(template: unknown): string | null {
  if (typeof template !== 'string' || template.length === 0) return 'must be a non-empty string';
  if (template.length > MAX_LENGTH) return `must be at most ${MAX_LENGTH} characters`;
  const rest = template.replace(PLACEHOLDER, '');
  if (/[{}]/.test(rest)) return 'has an unbalanced or invalid {placeholder}';
  if (!new RegExp(PLACEHOLDER.source).test(template)) return 'must use at least one {placeholder}';
  return usernameProblem(rest.length > 0 ? `x${rest}x` : 'x');
}

/** Why a rendered username must not be sent to Duo, or null. */
export function usernameProblem(name: string): string | null {
  if (name.length === 0) return 'is empty';
  if (name.length > MAX_LENGTH) return 'is too long';
  if (name.trim() !== name) return 'has leading or trailing whitespace';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(name)) return 'has control characters';
  if (name.includes('|')) return 'contains "|"';
  // Invisible format characters (bidi overrides and isolates, zero-width characters, BOM): two
  // names that look identical in Duo's push text or admin panel must not be different names.
  if (/[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/.test(name))
    return 'has invisible formatting characters';
  if (name.normalize('NFC') !== name) return 'is not in Unicode normal form C';
  return null;
}

export function templateFor(templates: Readonly<Record<string, string>>, audience: string): string {
  // Own properties only: an audience named "constructor" must not find Object's.
  if (Object.hasOwn(templates, audience)) return templates[audience]!;
  return Object.hasOwn(templates, '*') ? templates['*']! : '{username}';
}

/** Renders the Duo username for a user; throws a typed error on a missing value or a bad result. */
export function renderUsername(
  template: string,
  user: TwoFactorUser,
  constants: Readonly<Record<string, string>>,
  lowercase = false,
): string {
  const builtIn: Record<string, string | undefined> = {
    username: user.username,
    email: user.email,
    id: user.id,
    displayName: user.displayName,
  };
  const missing: string[] = [];
  const rendered = template.replace(PLACEHOLDER, (_m, name: string) => {
    const value =
      (Object.hasOwn(builtIn, name) ? builtIn[name] : undefined) ??
      (user.attributes && Object.hasOwn(user.attributes, name)
        ? user.attributes[name]
        : undefined) ??
      (Object.hasOwn(constants, name) ? constants[name] : undefined);
    if (typeof value !== 'string' || value.length === 0) {
      missing.push(name);
      return '';
    }
    return value;
  });
  if (missing.length > 0) {
    throw new ProviderError(
      `The Duo username template needs ${missing.map((m) => `{${m}}`).join(', ')}, which this user or deployment does not have.`,
      { details: { missing } },
    );
  }
  const name = lowercase ? rendered.toLowerCase() : rendered;
  const problem = usernameProblem(name);
  if (problem) {
    throw new ProviderError(`The Duo username for this user ${problem}; it was not sent to Duo.`, {
      details: { reason: problem },
    });
  }
  return name;
}
