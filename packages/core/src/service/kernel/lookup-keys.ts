import { PolicyError } from '../../errors.js';
import type { LookupKey } from '../../provider/contract.js';

/** Own data property, never a getter and never inherited (the plain-object rule, FL-03). */
function own(o: object, key: string): unknown {
  const d = Object.getOwnPropertyDescriptor(o, key);
  return d && 'value' in d ? (d.value as unknown) : undefined;
}

/**
 * A provider's lookup key (`ActivationSuccess.lookupKey`), or null when it is not one: an
 * activation with a malformed key fails closed rather than binding an authenticator unchecked.
 */
export function readLookupKey(raw: unknown): LookupKey | null {
  if (typeof raw !== 'object' || raw === null || Object.getPrototypeOf(raw) !== Object.prototype)
    return null;
  const key = own(raw, 'key');
  const takenReason = own(raw, 'takenReason');
  if (typeof key !== 'string' || !/^[A-Za-z0-9._:-]{1,128}$/.test(key)) return null;
  if (typeof takenReason !== 'string' || !/^[A-Z][A-Z0-9_]{1,63}$/.test(takenReason)) return null;
  return { key, takenReason };
}

/**
 * The refusal of an activation whose authenticator another enrollment already holds (WA-12). The
 * same answer whether the holder is this user or someone else, and it names no one.
 */
export function lookupKeyTaken(providerId: string, lookup: LookupKey): PolicyError {
  return new PolicyError(
    'ALREADY_ENROLLED',
    'This authenticator is already registered. Use another one, or sign in with it.',
    { details: { providerId, reason: lookup.takenReason } },
  );
}
