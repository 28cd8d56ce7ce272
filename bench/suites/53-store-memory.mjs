// Memory per 10,000 pending steps, per store: 10,000 challenges created through each store's
// own `create` (records shaped like a real TOTP challenge: a 43-character id and a sealed
// payload of the size core writes), measured as the store's own growth: the memory store's heap
// (after a forced GC; the runner passes --expose-gc), Redis `MEMORY USAGE` summed over the
// prefix's keys, PostgreSQL `pg_total_relation_size` of the pending table (after VACUUM), and
// SQLite's page count times its page size.
import { randomBytes } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import { RIGS, RigUnavailable } from '../lib/store-rigs.mjs';

const STEPS = 10_000;

function records(n, now) {
  const out = [];
  for (let i = 0; i < n; i++) {
    out.push({
      id: randomBytes(32).toString('base64url'),
      kind: 'challenge',
      userId: `mem-user-${i}`,
      providerId: 'totp',
      enrollmentId: `mem-enrollment-${i}`,
      // Core's sealed `{ d: null, g: 0 }` as stored: version, key id, IV, ciphertext and tag.
      payload: `v1.test.${randomBytes(12).toString('base64url')}.${randomBytes(30).toString('base64url')}`,
      attempts: 0,
      createdAt: now,
      expiresAt: now + 300_000,
    });
  }
  return out;
}

async function redisBytes(client, prefix) {
  const nodes = client.isCluster ? client.nodes('master') : [client];
  let total = 0;
  for (const c of nodes) {
    for await (const keys of c.scanStream({ match: `${prefix}*`, count: 1000 })) {
      for (const k of keys)
        total += Number((await c.call('MEMORY', 'USAGE', k, 'SAMPLES', '0')) ?? 0);
    }
  }
  return total;
}

const MEASURES = {
  async memory() {
    globalThis.gc?.();
    return process.memoryUsage().heapUsed;
  },
  async sqlite(s) {
    const db = new BetterSqlite3(s.filename);
    try {
      db.pragma('wal_checkpoint(TRUNCATE)');
      return db.pragma('page_count', { simple: true }) * db.pragma('page_size', { simple: true });
    } finally {
      db.close();
    }
  },
  async postgres(s) {
    await s.pool.query(`vacuum "${s.schema}".factorkit_pending`);
    const r = await s.pool.query(`select pg_total_relation_size($1) as n`, [
      `"${s.schema}".factorkit_pending`,
    ]);
    return Number(r.rows[0].n);
  },
  'postgres-redis': (s) => redisBytes(s.redisClient, s.prefix),
  'postgres-redis-cluster': (s) => redisBytes(s.redisClient, s.prefix),
};

export default {
  id: 'store-memory',
  async run(b) {
    const steps = b.quick ? 1_000 : STEPS;
    for (const rig of RIGS) {
      const id = `store-memory.${rig.id}`;
      const title = `memory per ${STEPS.toLocaleString('en')} pending steps, ${rig.title}`;
      if (rig.id === 'memory' && !globalThis.gc) {
        b.skip({ id, title, reason: 'needs node --expose-gc (the runner passes it)' });
        continue;
      }
      let s;
      try {
        s = await rig.open();
      } catch (err) {
        if (!(err instanceof RigUnavailable)) throw err;
        b.skip({ id, title, reason: err.message });
        continue;
      }
      try {
        const batch = records(steps, Date.now());
        const before = await MEASURES[rig.id](s);
        for (const r of batch) await s.stores.pending.create(r);
        const after = await MEASURES[rig.id](s);
        b.record({
          id,
          title,
          value: Math.round(((after - before) * STEPS) / steps),
          unit: 'bytes',
          note: b.quick ? `measured on ${steps} steps, scaled` : undefined,
        });
        batch.length = 0;
      } finally {
        await s.close();
      }
    }
  },
};
