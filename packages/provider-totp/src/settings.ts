import { Field, v } from '@factorkit/core';

export const TOTP_ALGORITHMS = ['SHA1', 'SHA256', 'SHA512'] as const;
export type TotpAlgorithm = (typeof TOTP_ALGORITHMS)[number];

/** Secret size by algorithm when `secretSize` is not set: the HMAC output length (RFC 6238 §5.1). */
export const DEFAULT_SECRET_SIZE: Readonly<Record<TotpAlgorithm, number>> = {
  SHA1: 20,
  SHA256: 32,
  SHA512: 64,
};

/** RFC 4226 §4 R6: "The length of the shared secret MUST be at least 128 bits." */
export const MIN_SECRET_BYTES = 16;
/** Larger than the SHA-512 block (128 bytes) adds nothing: HMAC would hash the key first. */
export const MAX_SECRET_BYTES = 128;

/** Settings of the TOTP provider for one deployment (`providers.totp.settings`). */
export class TotpSettings {
  /**
   * Name shown in the authenticator app, as the label prefix and the `issuer` parameter.
   * @default 'factorkit'
   */
  @Field({
    label: 'Issuer',
    help: 'Your product or company name, shown above the account in authenticator apps. No colon (":"), 1 to 64 characters.',
  })
  @v.IsString({ message: 'must be a string' })
  @v.Length(1, 64, { message: 'must be 1 to 64 characters' })
  // Key Uri Format: "Neither issuer nor account name may themselves contain a colon."
  @v.Matches(/^[^:\p{Cc}]+$/u, { message: 'must not contain a colon or control characters' })
  issuer: string = 'factorkit';

  /**
   * Digits per code. Google Authenticator ignores anything but 6.
   * @default 6
   */
  @Field({ label: 'Code length', help: 'Digits in each code: 6 (works in every app) or 8.' })
  @v.IsIn([6, 8], { message: 'must be 6 or 8' })
  digits: number = 6;

  /**
   * Seconds per time step (RFC 6238 X). Many apps ignore anything but 30.
   * @default 30
   */
  @Field({
    label: 'Time step (s)',
    help: 'How long each code lasts: 30 (works in every app) or 60 seconds.',
  })
  @v.IsIn([30, 60], { message: 'must be 30 or 60' })
  period: number = 30;

  /**
   * HMAC hash. Many apps ignore anything but SHA1.
   * @default 'SHA1'
   */
  @Field({
    label: 'Algorithm',
    help: 'HMAC hash for codes: SHA1 (works in every app), SHA256 or SHA512.',
  })
  @v.IsIn([...TOTP_ALGORITHMS], { message: 'must be SHA1, SHA256 or SHA512' })
  algorithm: TotpAlgorithm = 'SHA1';

  /**
   * Earlier time steps still accepted, for network delay and slow typing (RFC 6238 §5.2).
   * @default 1
   */
  @Field({
    label: 'Past steps accepted',
    help: 'How many earlier time steps a code is still accepted for: 0 (strict ASVS 6.5.5, 30 s), 1 (RFC 6238 §5.2 recommendation) or 2.',
  })
  @v.IsInt({ message: 'must be 0, 1 or 2' })
  @v.Min(0, { message: 'must be 0, 1 or 2' })
  @v.Max(2, { message: 'must be 0, 1 or 2' })
  window: number = 1;

  /**
   * Later time steps accepted, for a phone whose clock runs ahead of the server.
   * @default 0
   */
  @Field({
    label: 'Future steps accepted',
    help: 'How many later time steps are accepted, for a phone clock that runs ahead: 0 or 1. Off by default (CK-01).',
  })
  @v.IsInt({ message: 'must be 0 or 1' })
  @v.Min(0, { message: 'must be 0 or 1' })
  @v.Max(1, { message: 'must be 0 or 1' })
  futureWindow: number = 0;

  /**
   * Bytes of each new secret. Absent: 20 for SHA1, 32 for SHA256, 64 for SHA512.
   * @default undefined
   */
  @Field({
    label: 'Secret size (bytes)',
    help: 'Random bytes per new secret, 16 to 128. Leave empty for the HMAC output length: 20 (SHA1), 32 (SHA256), 64 (SHA512).',
  })
  @v.IsOptional()
  @v.IsInt({ message: 'must be a whole number of bytes' })
  @v.Min(MIN_SECRET_BYTES, { message: 'must be at least 16 (128 bits, RFC 4226 §4 R6)' })
  @v.Max(MAX_SECRET_BYTES, { message: 'must be at most 128' })
  secretSize?: number;

  /**
   * Whether activation may carry an existing secret (migration from another system).
   * @default false
   */
  @Field({
    label: 'Allow importing secrets',
    help: 'Lets the host complete an activation with a secret users already hold (see totpImportInput); the user still proves it with a code.',
  })
  @v.IsBoolean({ message: 'must be true or false' })
  allowSecretImport: boolean = false;
}

/** The secret size this deployment generates. */
export function secretSizeOf(settings: TotpSettings): number {
  return settings.secretSize ?? DEFAULT_SECRET_SIZE[settings.algorithm];
}
