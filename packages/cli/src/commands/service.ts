/** `health` and `users status|reset|unlock`: the library calls of TwoFactorService. */
import { FactorkitError, TwoFactorService, type TwoFactorUser } from '@factorkit/core';
import type { SqlStores } from '@factorkit/store-sql';
import { loadDeployment, type LoadedModule } from '../load.js';
import { CliError, EXIT } from '../output.js';

export function service(m: LoadedModule, sql: SqlStores): TwoFactorService {
  const config = loadDeployment(m);
  return new TwoFactorService({
    registry: m.registry,
    config,
    stores: sql.stores,
    ...(m.cli.audit ? { audit: m.cli.audit } : {}),
  });
}

export async function healthCommand(s: TwoFactorService) {
  const report = await s.health();
  const healthy = Object.values(report).every((r) => r.healthy);
  const lines = Object.entries(report).map(
    ([id, r]) => `${r.healthy ? 'ok       ' : 'UNHEALTHY'} ${id}${r.detail ? `: ${r.detail}` : ''}`,
  );
  return { result: { healthy, providers: report }, text: lines.join('\n'), healthy };
}

/**
 * The CLI knows a user by id and audience only (the login name is not needed by these calls);
 * an audience the policy does not define is a usage error, not a silent `deny`.
 */
export function cliUser(m: LoadedModule, id: string, audience: string): TwoFactorUser {
  const audiences = Object.keys(loadDeployment(m).policy.audiences);
  if (!audiences.includes(audience))
    throw new CliError(
      'UNKNOWN_AUDIENCE',
      `--audience "${audience}" is not in policy.audiences (${audiences.join(', ')})`,
      EXIT.usage,
    );
  return { id, audience, username: id };
}

/** Status without side effects: the requirement comes from the dry-run (it starts no grace clock). */
export async function userStatus(s: TwoFactorService, user: TwoFactorUser) {
  const row = (await refused(() => s.dryRunEnforcement([user], {})))[user.audience];
  const actions = ['challenge', 'enroll', 'grace', 'skip', 'deny'] as const;
  const requirement = actions.find((a) => row && row[a] > 0) ?? 'deny';
  const enrollments = await s.listEnrollments(user);
  const throttle = await s.throttleStatus(user);
  const recoveryCodes = await s.recoveryCodeStatus(user);
  const result = {
    userId: user.id,
    audience: user.audience,
    requirement,
    enrollments,
    throttle,
    recoveryCodes,
  };
  const text = [
    `user ${user.id} (${user.audience}): next step ${requirement}`,
    `enrollments: ${enrollments.map((e) => `${e.providerId} ${e.id}`).join(', ') || 'none'}`,
    `failures ${throttle.failures}, ${throttle.locked ? 'LOCKED' : 'not locked'}; recovery codes left ${recoveryCodes.remaining}`,
  ].join('\n');
  return { result, text };
}

export async function userReset(
  s: TwoFactorService,
  user: TwoFactorUser,
  actorId: string,
  reason: string,
) {
  const r = await refused(() => s.adminReset({ actorId, reason }, user));
  return {
    result: { userId: user.id, ...r },
    text: `reset ${user.id}: ${r.enrollmentsRemoved} enrollment(s) removed, ${r.devicesRevoked} device(s) revoked`,
  };
}

export async function userUnlock(
  s: TwoFactorService,
  user: TwoFactorUser,
  actorId: string,
  reason: string,
) {
  await refused(() => s.adminUnlock({ actorId, reason }, user));
  return { result: { userId: user.id, unlocked: true }, text: `unlocked ${user.id}` };
}

/** A core refusal (bad argument, unknown audience) is exit 4 with core's own message. */
async function refused<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof FactorkitError && err.code !== 'STORE_UNAVAILABLE')
      throw new CliError(err.code, err.message, EXIT.refused);
    throw err;
  }
}
