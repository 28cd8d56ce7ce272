/** What the legacy flow keeps between its two halves, in core's encrypted, user-bound record. */
import type { JsonValue } from '@factorkit/core';

export type LegacyPending =
  | { t: 'legacy'; stage: 'code'; username: string; ikey: string; factor: 'passcode' | 'sms' }
  | {
      t: 'legacy';
      stage: 'push';
      username: string;
      ikey: string;
      factor: 'push' | 'phone' | 'auto';
      txid: string;
      startedAt: number;
    }
  | { t: 'legacy'; stage: 'bypass'; username: string; ikey: string }
  | { t: 'legacy'; stage: 'enroll'; username: string; ikey: string };

export function isLegacyPending(p: JsonValue): p is LegacyPending & JsonValue {
  return (
    typeof p === 'object' &&
    p !== null &&
    !Array.isArray(p) &&
    (p as { t?: unknown }).t === 'legacy'
  );
}
