// Does a sign-in slow down as the user base grows? A whole sign-in (begin + complete with the
// right code) for one user in a database holding 1,000,000 other enrolled users, against the same
// in a database holding 100, on SQLite and on PostgreSQL (quick mode: 10,000 vs 100). The other
// users are bulk-loaded straight into the tables the migrations created (generate_series on
// PostgreSQL, a recursive CTE on SQLite), each with one TOTP enrollment; the databases are a
// schema and a temp file of their own, dropped at the end.
import BetterSqlite3 from 'better-sqlite3';
import { RigUnavailable, openPostgres, openSqlite } from '../lib/store-rigs.mjs';
import { enrolledUser } from '../lib/sign-in.mjs';

const SMALL = 100;

const COLUMNS = 'id, user_id, provider_id, label, secret, counter, created_at, last_used_at';
const now = Date.now();

async function loadPostgres(pool, schema, n) {
  await pool.query(
    `insert into "${schema}".factorkit_enrollments (${COLUMNS})
     select 'bulk-' || g, 'bulk-user-' || g, 'totp', null, 'v1.bulk.' || md5(g::text), 0, $1::bigint, null
     from generate_series(1, $2::int) g`,
    [now, n],
  );
  await pool.query(`analyze "${schema}".factorkit_enrollments`);
}

function loadSqlite(filename, n) {
  const db = new BetterSqlite3(filename);
  try {
    db.prepare(
      `with recursive g(n) as (select 1 union all select n + 1 from g where n < ?)
       insert into factorkit_enrollments (${COLUMNS})
       select 'bulk-' || n, 'bulk-user-' || n, 'totp', null, 'v1.bulk.' || hex(randomblob(16)), 0, ?, null from g`,
    ).run(n, now);
    db.exec('analyze');
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

const ENGINES = [
  {
    id: 'sqlite',
    title: 'SQLite',
    open: openSqlite,
    load: (s, n) => loadSqlite(s.filename, n),
  },
  {
    id: 'postgres',
    title: 'PostgreSQL',
    open: openPostgres,
    load: (s, n) => loadPostgres(s.pool, s.schema, n),
  },
];

export default {
  id: 'enrolled-users',
  async run(b) {
    const big = b.quick ? 10_000 : 1_000_000;
    for (const engine of ENGINES) {
      const opened = [];
      try {
        const small = await engine.open();
        opened.push(small);
        const large = await engine.open();
        opened.push(large);
        await engine.load(small, SMALL);
        const t0 = Date.now();
        await engine.load(large, big);
        const loadMs = Date.now() - t0;
        const a = await enrolledUser(small.sql.stores);
        const z = await enrolledUser(large.sql.stores);
        await b.compare({
          id: `enrolled-users.${engine.id}`,
          title: `sign-in with ${big.toLocaleString('en')} enrolled users vs ${SMALL}, ${engine.title}`,
          baseline: { label: `${SMALL} users`, fn: a.signIn },
          subject: { label: `${big.toLocaleString('en')} users`, fn: z.signIn },
          goal: { max: 1.3 },
          note: `bulk load of ${big} users: ${loadMs} ms`,
        });
        await b.compare({
          id: `enrolled-users.${engine.id}.begin`,
          title: `beginChallenge alone, ${big.toLocaleString('en')} vs ${SMALL} users, ${engine.title}`,
          baseline: { label: `${SMALL} users`, fn: a.begin },
          subject: { label: `${big.toLocaleString('en')} users`, fn: z.begin },
          note: 'a complete needs a begin of its own, so the complete share is the sign-in row minus this',
        });
      } catch (err) {
        if (!(err instanceof RigUnavailable)) throw err;
        b.skip({
          id: `enrolled-users.${engine.id}`,
          title: `${engine.title}: enrolled users`,
          reason: err.message,
        });
      } finally {
        for (const s of opened) await s.close();
      }
    }
  },
};
