// The store set-ups the store suites compare, each with counters on what it sends to its
// server: memory (core's MemoryStore), SQLite (a temp file), PostgreSQL (a schema of its own on
// the local server), PostgreSQL with Redis (pending steps and throttles in Redis under a prefix
// of their own), and PostgreSQL with a private Redis Cluster. Each rig closes and removes what
// it opened; a missing server makes `open` throw a `RigUnavailable` with the reason.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore } from '@factorkit/core/testing';
import { createRedisStores } from '@factorkit/store-redis';
import { createSqlStores } from '@factorkit/store-sql';
import { Redis } from 'ioredis';
import pg from 'pg';
import { clusterUnavailable, startRedisCluster } from './redis-cluster.mjs';
import { StatementCounter, countPgPool, countRedis, countSqlite } from './statement-counter.mjs';

export const PG_URL =
  process.env.FACTORKIT_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.FACTORKIT_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export class RigUnavailable extends Error {}

const tag = () => `${process.pid}_${randomBytes(4).toString('hex')}`;

async function pgReachable() {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('select 1');
  } catch (err) {
    throw new RigUnavailable(`PostgreSQL not reachable: ${err.message}`);
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** PostgreSQL stores in a fresh schema; `drop()` removes the schema. */
export async function openPostgres({ counter = new StatementCounter(), poolSize = 4 } = {}) {
  await pgReachable();
  const schema = `fk_bench_${tag()}`;
  const pool = new pg.Pool({ connectionString: PG_URL, max: poolSize });
  pool.on('error', () => undefined);
  countPgPool(pool, counter);
  const sql = createSqlStores({ dialect: 'postgres', pool, schema });
  await sql.migrate();
  counter.take();
  return {
    sql,
    pool,
    schema,
    counter,
    async close() {
      await pool.query(`drop schema if exists "${schema}" cascade`).catch(() => undefined);
      await pool.end();
    },
  };
}

/** SQLite stores in a temp file, removed by `close()`. */
export async function openSqlite({ counter = new StatementCounter() } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'factorkit-bench-sqlite-'));
  const filename = join(dir, 'bench.db');
  const undo = countSqlite(counter);
  const sql = createSqlStores({ dialect: 'sqlite', filename });
  await sql.migrate();
  counter.take();
  return {
    sql,
    filename,
    counter,
    async close() {
      await sql.close();
      undo();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function deletePrefix(client, prefix) {
  const clients = client.isCluster ? client.nodes('master') : [client];
  for (const c of clients) {
    for await (const keys of c.scanStream({ match: `${prefix}*`, count: 500 })) {
      // One key at a time on a cluster node: the keys of one scan batch may span slots.
      for (const k of keys) await c.del(k);
    }
  }
}

/** Redis stores (standalone or cluster) under a prefix of their own, deleted by `close()`. */
async function openRedisStores(options, counter) {
  const prefix = `factorkit-bench:${tag()}:`;
  const r = createRedisStores({ ...options, prefix, redisOptions: { maxRetriesPerRequest: 1 } });
  try {
    await r.client.ping();
  } catch (err) {
    await r.close().catch(() => r.client.disconnect());
    throw new RigUnavailable(`Redis not reachable: ${err.message}`);
  }
  countRedis(r.client, counter);
  return {
    redis: r,
    prefix,
    async close() {
      await deletePrefix(r.client, prefix).catch(() => undefined);
      await r.close();
    },
  };
}

/**
 * Every rig: `{ id, title, open() }`; `open()` gives `{ stores, counter, close, ... }` where
 * `counter` counts SQL statements and Redis commands alike (each a round trip except SQLite's).
 */
export const RIGS = [
  {
    id: 'memory',
    title: 'memory',
    async open() {
      return { stores: new MemoryStore(), counter: new StatementCounter(), close: async () => {} };
    },
  },
  {
    id: 'sqlite',
    title: 'SQLite',
    async open() {
      const s = await openSqlite();
      return { ...s, stores: s.sql.stores };
    },
  },
  {
    id: 'postgres',
    title: 'PostgreSQL',
    async open() {
      const s = await openPostgres();
      return { ...s, stores: s.sql.stores };
    },
  },
  {
    id: 'postgres-redis',
    title: 'PostgreSQL + Redis',
    async open() {
      const p = await openPostgres();
      try {
        const r = await openRedisStores({ url: REDIS_URL }, p.counter);
        return {
          ...p,
          redisClient: r.redis.client,
          prefix: r.prefix,
          stores: { enrollments: p.sql.stores.enrollments, ...r.redis.stores },
          async close() {
            await r.close();
            await p.close();
          },
        };
      } catch (err) {
        await p.close();
        throw err;
      }
    },
  },
  {
    id: 'postgres-redis-cluster',
    title: 'PostgreSQL + Redis Cluster',
    async open() {
      const missing = clusterUnavailable();
      if (missing) throw new RigUnavailable(missing);
      const cluster = await startRedisCluster();
      let p;
      try {
        p = await openPostgres();
        const r = await openRedisStores({ cluster: { nodes: cluster.nodes } }, p.counter);
        return {
          ...p,
          redisClient: r.redis.client,
          prefix: r.prefix,
          stores: { enrollments: p.sql.stores.enrollments, ...r.redis.stores },
          async close() {
            await r.close();
            await p.close();
            await cluster.stop();
          },
        };
      } catch (err) {
        await p?.close();
        await cluster.stop();
        throw err;
      }
    },
  },
];

export { Redis };
