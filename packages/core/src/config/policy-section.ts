/** The `policy` section: audiences, throttling, recovery codes and pending steps. */
import type { ConfigIssue } from '../errors.js';
import {
  AudiencePolicy,
  PendingPolicy,
  RecoveryCodePolicy,
  ThrottlePolicy,
} from './policy-classes.js';
import { reportUnknownKeys } from './raw-input.js';
import { isPlainObject, validateAgainstSchema } from './validate.js';

export const AUDIENCE_NAME_RE = /^[a-z][a-z0-9_-]{0,31}$/;

export interface PolicySection {
  readonly audiences: Readonly<Record<string, AudiencePolicy>>;
  readonly throttle: ThrottlePolicy;
  readonly recoveryCodes: RecoveryCodePolicy;
  readonly pending: PendingPolicy;
}

/** Without `policy.audiences`, the two built-in audiences with every default. */
const DEFAULT_AUDIENCES = { client: {}, admin: {} };

export function loadPolicySection(raw: unknown, issues: ConfigIssue[]): PolicySection {
  const section = raw ?? {};
  if (!isPlainObject(section)) {
    issues.push({ path: 'policy', message: 'must be an object' });
    return {
      audiences: {},
      throttle: new ThrottlePolicy(),
      recoveryCodes: new RecoveryCodePolicy(),
      pending: new PendingPolicy(),
    };
  }
  reportUnknownKeys(
    section,
    ['audiences', 'throttle', 'recoveryCodes', 'pending'],
    'policy',
    issues,
  );
  return {
    audiences: loadAudiences(section['audiences'] ?? DEFAULT_AUDIENCES, issues),
    throttle: loadThrottle(section['throttle'], issues),
    recoveryCodes: loadRecoveryCodes(section['recoveryCodes'], issues),
    pending: collect(PendingPolicy, section['pending'], 'policy.pending', issues),
  };
}

function collect<T extends object>(
  schema: new () => T,
  raw: unknown,
  path: string,
  issues: ConfigIssue[],
): T {
  const result = validateAgainstSchema(schema, raw, path);
  issues.push(...result.issues);
  return result.value;
}

function loadAudiences(raw: unknown, issues: ConfigIssue[]): Record<string, AudiencePolicy> {
  const audiences: Record<string, AudiencePolicy> = {};
  if (!isPlainObject(raw) || Object.keys(raw).length === 0) {
    issues.push({
      path: 'policy.audiences',
      message: 'must be an object naming at least one audience',
    });
    return audiences;
  }
  for (const [name, value] of Object.entries(raw)) {
    const path = `policy.audiences.${name}`;
    if (!AUDIENCE_NAME_RE.test(name)) {
      issues.push({ path, message: 'audience names are lower-case letters, digits, - or _' });
      continue;
    }
    audiences[name] = collect(AudiencePolicy, withAudienceDefaults(name, value), path, issues);
  }
  return audiences;
}

/**
 * Defaults that differ by audience: administrators get no remembered devices unless their
 * config says so (an admin session is worth more than a convenience). Only a key left out is
 * filled in; a value given, valid or not, is validated as it is.
 */
function withAudienceDefaults(name: string, raw: unknown): unknown {
  const given = raw === undefined ? {} : raw;
  if (name !== 'admin' || !isPlainObject(given) || Object.hasOwn(given, 'rememberDeviceDays'))
    return raw;
  return { ...given, rememberDeviceDays: 0 };
}

function loadThrottle(raw: unknown, issues: ConfigIssue[]): ThrottlePolicy {
  const before = issues.length;
  const throttle = collect(ThrottlePolicy, raw, 'policy.throttle', issues);
  // Compared only when both numbers are valid, so one mistake gives one message.
  if (issues.length === before && throttle.permanentLockAfter < throttle.maxFailures) {
    issues.push({
      path: 'policy.throttle.permanentLockAfter',
      message: 'must be at least maxFailures',
    });
  }
  return throttle;
}

function loadRecoveryCodes(raw: unknown, issues: ConfigIssue[]): RecoveryCodePolicy {
  const before = issues.length;
  const codes = collect(RecoveryCodePolicy, raw, 'policy.recoveryCodes', issues);
  if (issues.length === before && codes.lowWatermark >= codes.count) {
    issues.push({ path: 'policy.recoveryCodes.lowWatermark', message: 'must be below count' });
  }
  return codes;
}
