/** `providers.<id>.maxEnrollments`: how many enrollments of one provider a user may hold. */
import type { ConfigIssue } from '../errors.js';

/** The largest limit a deployment may set: a user's factor list stays short enough to review. */
export const MAX_ENROLLMENTS_CEILING = 20;
/** The limit when the entry sets none and the provider declares `multipleEnrollments`. */
export const DEFAULT_MAX_ENROLLMENTS = 5;

/**
 * The entry's limit: an integer 1..20, 5 by default for a provider declaring
 * `capabilities.multipleEnrollments`, else 1. Above 1 for a provider that does not declare it
 * is an issue at `path` (a Duo user is one remote account; a second enrollment would alias it).
 * `multiple` is undefined when the provider is not known (a disabled entry): only the range is
 * checked then.
 */
export function loadMaxEnrollments(
  raw: unknown,
  multiple: boolean | undefined,
  path: string,
  issues: ConfigIssue[],
): number {
  const fallback = multiple ? DEFAULT_MAX_ENROLLMENTS : 1;
  if (raw === undefined) return fallback;
  if (
    typeof raw !== 'number' ||
    !Number.isInteger(raw) ||
    raw < 1 ||
    raw > MAX_ENROLLMENTS_CEILING
  ) {
    issues.push({ path, message: `must be an integer from 1 to ${MAX_ENROLLMENTS_CEILING}` });
    return fallback;
  }
  if (raw > 1 && multiple === false) {
    issues.push({
      path,
      message:
        'this provider allows one enrollment per user (it does not declare capabilities.multipleEnrollments): use 1 or leave it out',
    });
    return 1;
  }
  return raw;
}
