/**
 * The two names the provider derives: the user handle it gives the authenticator, and the
 * lookup key core's store holds for a credential. Neither is personal data nor a secret.
 */
import { createHash } from 'node:crypto';

/** A stable, non-personal user handle: a digest of core's internal user id. */
export function userHandleOf(userId: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHash('sha256').update(`factorkit-webauthn:${userId}`).digest());
}

/**
 * The public name of a credential among every user of the deployment: a digest of its raw id, so
 * core's unique index holds 43 characters, not up to 1023 bytes (WA-12).
 */
export function credentialLookupKey(credentialId: string): string {
  return createHash('sha256').update(Buffer.from(credentialId, 'base64url')).digest('base64url');
}
