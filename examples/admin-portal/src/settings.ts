/**
 * The portal's own settings, from the environment. Everything 2FA lives in the deployment
 * config kept in the database and edited in the admin area; these only say where things are.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The portal's own folder (dist/.. ): the default data folder sits beside its sources. */
const PORTAL_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface PortalSettings {
  /** Address to listen on; loopback unless told otherwise (a demo is not a public service). */
  readonly host: string;
  /** 0 picks a free port (the tests do). */
  readonly port: number;
  /** The folder for the SQLite file, generated keys and the demo logins; created on first start. */
  readonly dataDir: string;
  /** `postgres://...`: users, sessions, factors and audit in PostgreSQL instead of SQLite. */
  readonly databaseUrl: string | undefined;
  /** `redis://...`: pending steps, throttles and second-step states in Redis (several processes). */
  readonly redisUrl: string | undefined;
  /** The origin browsers use, for WebAuthn and the Duo callback. Defaults to http://localhost:<port>. */
  readonly publicOrigin: string | undefined;
  /** A file holding a number of milliseconds added to the clock (tests of grace periods only). */
  readonly clockOffsetFile: string | undefined;
}

export class SettingsError extends Error {}

function port(value: string | undefined): number {
  if (value === undefined || value === '') return 3000;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new SettingsError(`PORTAL_PORT must be a port number (0 to 65535), not "${value}"`);
  return n;
}

function url(name: string, value: string | undefined, schemes: string[]): string | undefined {
  if (value === undefined || value === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new SettingsError(`${name} is not a URL`);
  }
  if (!schemes.includes(parsed.protocol))
    throw new SettingsError(`${name} must start with ${schemes.map((s) => s + '//').join(' or ')}`);
  return value;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): PortalSettings {
  const origin = url('PORTAL_PUBLIC_ORIGIN', env['PORTAL_PUBLIC_ORIGIN'], ['http:', 'https:']);
  return {
    host: env['PORTAL_HOST'] || '127.0.0.1',
    port: port(env['PORTAL_PORT']),
    dataDir: env['PORTAL_DATA_DIR'] ? resolve(env['PORTAL_DATA_DIR']) : join(PORTAL_DIR, 'data'),
    databaseUrl: url('PORTAL_DATABASE_URL', env['PORTAL_DATABASE_URL'], [
      'postgres:',
      'postgresql:',
    ]),
    redisUrl: url('PORTAL_REDIS_URL', env['PORTAL_REDIS_URL'], ['redis:', 'rediss:']),
    publicOrigin: origin === undefined ? undefined : new URL(origin).origin,
    clockOffsetFile: env['PORTAL_CLOCK_OFFSET_FILE'] || undefined,
  };
}
