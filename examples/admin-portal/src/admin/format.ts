/**
 * How the admin pages write times and name audit events. Every time is UTC and says so: admins
 * in several time zones read the same log, and the audit filter's dates are UTC days too.
 */

/** `2026-12-03 14:05:09 UTC` (epoch ms). */
export function utcTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** What each of core's audit event types means, for a person reading the log. */
const EVENT_LABELS: Readonly<Record<string, string>> = {
  'activation.started': 'Started setting up a factor',
  'activation.failed': 'Setting up a factor failed',
  activated: 'Factor added',
  deactivated: 'Factor removed',
  verified: 'Signed in with a second factor',
  'enrollment.renamed': 'Factor renamed',
  'challenge.started': 'Second-factor prompt shown',
  failed: 'Wrong second-factor answer',
  'replay.rejected': 'Reused code refused',
  'clone.suspected': 'Possibly cloned security key',
  locked: 'Account locked after failures',
  'recovery.used': 'Recovery code used',
  'recovery.failed': 'Wrong recovery code',
  'recovery.regenerated': 'New recovery codes issued',
  'step-up.refused': 'Refused: no recent second factor',
  'admin.reset': 'Two-factor authentication reset by an administrator',
  'admin.unlocked': 'Unlocked by an administrator',
  'grace.started': 'Grace period started',
  'push.unanswered': 'Push prompts unanswered or denied',
  'fail-open': 'Let in while a provider was down',
  'provider.unhealthy': 'Provider not reachable',
  'device.remembered': 'Device remembered',
  'device.revoked': 'Remembered device forgotten',
  'device.trusted': 'Signed in on a remembered device',
  'device.rejected': 'Remembered device not trusted',
  'pending.rejected': 'Out-of-date sign-in step refused',
};

export function eventLabel(type: string): string {
  return EVENT_LABELS[type] ?? type;
}
