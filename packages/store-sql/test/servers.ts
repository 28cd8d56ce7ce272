/**
 * Where the test servers are, and whether to run against them. Outside CI an unreachable server
 * skips its tests with the reason printed; under CI=true it fails the run instead.
 */
import pg from 'pg';

export const PG_URL =
  process.env['FACTORKIT_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
export const IN_CI = process.env['CI'] === 'true';

export interface Probe {
  readonly ok: boolean;
  readonly reason: string;
}

export async function probePostgres(): Promise<Probe> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return { ok: true, reason: '' };
  } catch (err) {
    const probe = {
      ok: false,
      reason: `PostgreSQL not reachable at ${PG_URL.replace(/\/\/[^@]*@/, '//')}: ${(err as Error).message}`,
    };
    if (IN_CI) throw new Error(`CI=true requires PostgreSQL. ${probe.reason}`, { cause: err });
    console.warn(`SKIPPED (not CI): ${probe.reason}`);
    return probe;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A unique schema name per test run and check, so parallel files and other people never collide. */
export function uniqueSchema(tag: string): string {
  return `fk_${tag}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
}

/** Drops a test schema with everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}
