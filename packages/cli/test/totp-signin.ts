/**
 * Signs a user in through core, against the store the CLI wrote, with a code computed by otpauth
 * from the secret the test holds: the proof that an imported factor works end to end.
 */
import {
  FactorkitError,
  ProviderRegistry,
  TwoFactorService,
  loadDeploymentConfig,
} from '@factorkit/core';
import { TotpProvider } from '@factorkit/provider-totp';
import { createSqlStores, type SqlStoreOptions } from '@factorkit/store-sql';
import { Secret, TOTP } from 'otpauth';
import { deployment, type Workspace } from './workspace.js';

export function newSecret(bytes = 20): string {
  return new Secret({ size: bytes }).base32;
}

export function code(
  secret: string,
  o: { algorithm?: string; digits?: number; period?: number } = {},
) {
  return new TOTP({ secret: Secret.fromBase32(secret), ...o }).generate();
}

/** True when `userId` completes a TOTP challenge with a code of `secret`. */
export async function signsIn(
  ws: Workspace,
  store: SqlStoreOptions,
  userId: string,
  secret: string,
  params: { algorithm?: string; digits?: number; period?: number } = {},
  /** Deployment overrides, e.g. another `encryption` ring. */
  overrides: Record<string, unknown> = {},
): Promise<boolean> {
  process.env['FACTORKIT_CLI_TEST_KEY'] = ws.key;
  const registry = new ProviderRegistry();
  registry.register(TotpProvider);
  const sql = createSqlStores(store);
  try {
    const service = new TwoFactorService({
      registry,
      config: loadDeploymentConfig(deployment(overrides), registry),
      stores: sql.stores,
    });
    const user = { id: userId, audience: 'client', username: userId };
    const started = await service.beginChallenge(user, 'totp');
    const outcome = await service.completeChallenge(
      started.challengeId,
      user,
      code(secret, params),
    );
    return outcome.ok;
  } catch (err) {
    // A refused code is a typed core error; anything else (a store or sealing bug) fails loudly.
    if (err instanceof FactorkitError) return false;
    throw err;
  } finally {
    await sql.close();
  }
}
