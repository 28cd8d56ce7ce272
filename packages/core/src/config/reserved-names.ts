/**
 * Names that no config key may have: every member of Object.prototype (`constructor`,
 * `toString`, `hasOwnProperty`, `__proto__`, ...).
 *
 * They need their own rule because the validation libraries cannot see them. class-transformer
 * skips `__proto__` and `constructor` by name and any key that resolves to a function on the new
 * instance, which is every Object.prototype method, so the key never reaches class-validator and
 * `forbidNonWhitelisted` never reports it. class-validator looks declared fields up on a plain
 * object, so inherited names such as `hasOwnProperty` count as declared there. Copying such a key
 * into a plain object is unsafe as well: assigning `__proto__` replaces the prototype.
 */

export const RESERVED_NAME_MESSAGE =
  'is a reserved name (a member of Object.prototype), not a known setting';

export const UNKNOWN_SETTING_MESSAGE = 'is not a known setting';

/** Checked against Object.prototype at call time, so a member added at run time counts too. */
export function isReservedName(key: string): boolean {
  return Object.hasOwn(Object.prototype, key);
}

/** What to say about a key that is not a declared setting at its place. */
export function unknownKeyMessage(key: string): string {
  return isReservedName(key) ? RESERVED_NAME_MESSAGE : UNKNOWN_SETTING_MESSAGE;
}
