import { SecretBox } from '../../crypto/secret-box.js';
import { FactorkitError } from '../../errors.js';
import type { EnrollmentRecord } from '../../store/types.js';
import type { Kernel } from '../kernel/kernel.js';
import { printable } from '../kernel/request-info.js';
import type { KeyRotationReport } from '../types.js';

/**
 * Re-encrypts every enrollment not yet under the active key, a batch at a time, with a
 * compare-and-set per row (a row changed meanwhile is reported, never overwritten).
 */
export async function rotateEncryptionKeys(
  k: Kernel,
  batchSize: number,
): Promise<KeyRotationReport> {
  let after: string | null = null;
  let rotated = 0;
  let unchanged = 0;
  const failed: { enrollmentId: string; code: string }[] = [];
  for (;;) {
    const batch: EnrollmentRecord[] = await k.stores.enrollments.listAll(after, batchSize);
    if (batch.length === 0) break;
    for (const e of batch) {
      if (SecretBox.keyIdOf(e.secret) === k.secrets.activeKeyId) {
        unchanged++;
        continue;
      }
      try {
        const next = k.secrets.reseal(e);
        if (await k.stores.enrollments.replaceSecret(e.id, e.secret, next)) rotated++;
        else failed.push({ enrollmentId: e.id, code: 'CONCURRENT_CHANGE' });
      } catch (err) {
        failed.push({
          enrollmentId: e.id,
          code: err instanceof FactorkitError ? err.code : 'UNKNOWN',
        });
      }
    }
    after = batch[batch.length - 1]!.id;
  }
  return { rotated, unchanged, failed };
}

/** Runs each enabled provider's health check; an unhealthy one is an audit event. */
export async function health(
  k: Kernel,
): Promise<Record<string, { healthy: boolean; detail?: string }>> {
  const out: Record<string, { healthy: boolean; detail?: string }> = {};
  for (const id of Object.keys(k.config.providers)) {
    if (!k.providers.enabled(id)) continue;
    const p = k.providers.get(id);
    if (!p.healthCheck) {
      out[id] = { healthy: true, detail: 'no remote dependency' };
      continue;
    }
    let status: { healthy: boolean; detail?: string };
    try {
      status = await p.healthCheck(k.providers.healthContext(id));
    } catch (err) {
      status = {
        healthy: false,
        detail: err instanceof Error ? err.message : 'health check threw',
      };
    }
    out[id] = status;
    if (!status.healthy) {
      await k.audit.emit({
        type: 'provider.unhealthy',
        at: k.audit.at(),
        providerId: id,
        detail: printable(String(status.detail ?? ''), 200) ?? '',
      });
    }
  }
  return out;
}
