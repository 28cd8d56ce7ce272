import { InvalidArgumentError } from '../../errors.js';
import type { TwoFactorUser } from '../../provider/contract.js';
import type { EnrollmentRecord } from '../../store/types.js';
import type { Kernel } from '../kernel/kernel.js';
import type { CompleteActivationOptions } from '../types.js';

/** The longest label, in characters (code points), after trimming. */
export const MAX_LABEL_LENGTH = 64;

/**
 * Characters a label may not hold: controls (Cc), format characters (Cf: bidi overrides such as
 * U+202E, zero-width characters), line and paragraph separators, and lone surrogates (Cs). A
 * label is shown in factor lists and admin screens; these could reorder or hide what is shown.
 */
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

/**
 * Text for a label that does not come from the user (a provider's name for its factor, a device
 * description from a user agent): held to the same characters and length by removing what a
 * typed label would be refused for, rather than refusing. Null when nothing is left.
 */
export function cleanLabel(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  const text = raw
    .slice(0, MAX_LABEL_LENGTH * 8)
    .replace(new RegExp(FORBIDDEN.source, 'gu'), '')
    .normalize('NFC')
    .trim();
  const cut = [...text].slice(0, MAX_LABEL_LENGTH).join('').trim();
  return cut === '' ? null : cut;
}

/**
 * A label the user typed, checked and normalised (NFC, trimmed). Throws InvalidArgumentError
 * saying what is wrong and what is allowed; never echoes the rejected text.
 */
export function checkLabel(raw: unknown): string {
  const rule = `1 to ${MAX_LABEL_LENGTH} characters, without control or formatting characters`;
  if (typeof raw !== 'string')
    throw new InvalidArgumentError(`A factor's name must be text (${rule}).`);
  // Bounded before any other work: a megabyte of input costs nothing.
  if (raw.length > MAX_LABEL_LENGTH * 8) {
    throw new InvalidArgumentError(`A factor's name is too long (${rule}).`);
  }
  if (FORBIDDEN.test(raw)) {
    throw new InvalidArgumentError(
      `A factor's name cannot hold control or formatting characters (such as line breaks or text-direction marks): use ${rule}.`,
    );
  }
  const label = raw.normalize('NFC').trim();
  const length = [...label].length;
  if (length === 0 || length > MAX_LABEL_LENGTH) {
    throw new InvalidArgumentError(`A factor's name must be ${rule}; this one has ${length}.`);
  }
  return label;
}

/** How two labels are compared: case and compatibility forms ignored ("App" = "app" = "Ａｐｐ"). */
function sameKey(label: string): string {
  return label.normalize('NFKC').toLowerCase();
}

/** Whether another of the user's factors (not `exceptId`) already carries this label. */
export function labelTaken(
  enrollments: readonly EnrollmentRecord[],
  label: string,
  exceptId?: string,
): boolean {
  const key = sameKey(label);
  return enrollments.some((e) => e.id !== exceptId && e.label !== null && sameKey(e.label) === key);
}

/** Refuses a label another of the user's factors already carries. */
export function refuseTakenLabel(
  enrollments: readonly EnrollmentRecord[],
  label: string,
  exceptId?: string,
): void {
  if (labelTaken(enrollments, label, exceptId)) {
    throw new InvalidArgumentError(
      'You already have a factor with this name (names are compared ignoring case): choose another.',
      { details: { reason: 'label-taken' } },
    );
  }
}

/** The provider's label, numbered when the user already has it ("Authenticator app 2"). */
export function defaultLabel(enrollments: readonly EnrollmentRecord[], base: string): string {
  if (!labelTaken(enrollments, base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base} ${n}`;
    if (!labelTaken(enrollments, candidate)) return candidate;
  }
}

/**
 * The name asked for at activation, checked (and checked free among the user's factors) before
 * anything is consumed; with the factors it was checked against, for numbering a default name.
 */
export async function chooseLabel(
  k: Kernel,
  user: TwoFactorUser,
  options: CompleteActivationOptions | undefined,
): Promise<{ label: string | undefined; existing: readonly EnrollmentRecord[] }> {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new InvalidArgumentError(
      'completeActivation options must be an object such as { label }.',
    );
  }
  const requested: unknown = options?.label;
  const label = requested === undefined ? undefined : checkLabel(requested);
  const existing = await k.stores.enrollments.listByUser(user.id);
  if (label !== undefined) refuseTakenLabel(existing, label);
  return { label, existing };
}
