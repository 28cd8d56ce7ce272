/**
 * How core binds a sealed enrollment to its row: the SecretBox context of core's
 * EnrollmentSecrets (user, provider, enrollment). Core does not export it, so it is restated here;
 * the import tests sign in through core with what this seals, so a drift fails them.
 */
export const TOTP_PROVIDER_ID = 'totp';

export function enrollmentContext(shell: {
  id: string;
  userId: string;
  providerId: string;
}): string[] {
  return ['enrollment', shell.userId, shell.providerId, shell.id];
}
