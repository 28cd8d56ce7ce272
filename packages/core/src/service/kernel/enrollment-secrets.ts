import type { SecretBox } from '../../crypto/secret-box.js';
import type { JsonValue } from '../../provider/contract.js';
import type { EnrollmentRecord } from '../../store/types.js';

type Shell = Pick<EnrollmentRecord, 'id' | 'userId' | 'providerId'>;

/**
 * A provider's enrollment data, sealed at rest and bound to (user, provider, enrollment), so a
 * ciphertext copied into another user's row fails to open (SECURITY.md SS-03). Opened only when a
 * provider hook needs it.
 */
export class EnrollmentSecrets {
  constructor(private readonly box: SecretBox) {}

  private context(r: Shell): string[] {
    return ['enrollment', r.userId, r.providerId, r.id];
  }

  seal(shell: Shell, data: JsonValue): string {
    return this.box.seal(JSON.stringify(data), this.context(shell));
  }

  open(record: EnrollmentRecord): JsonValue {
    return JSON.parse(this.box.open(record.secret, this.context(record))) as JsonValue;
  }

  get activeKeyId(): string {
    return this.box.activeKeyId;
  }

  /** Re-seals under the active key (key rotation). */
  reseal(record: EnrollmentRecord): string {
    const context = this.context(record);
    return this.box.seal(this.box.open(record.secret, context), context);
  }
}
