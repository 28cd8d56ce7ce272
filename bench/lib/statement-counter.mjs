// Counts what a store sends to its server, per step of a sign-in: SQL statements (PostgreSQL:
// every `client.query` is one statement and one round trip, BEGIN and COMMIT included; SQLite:
// every prepared statement, run in-process with no round trip) and Redis commands (no store
// pipelines, so one command is one round trip).
import BetterSqlite3 from 'better-sqlite3';

export class StatementCounter {
  statements = 0;
  roundTrips = 0;
  /** The texts since the last `take`, for a report or a failing check. */
  texts = [];
  hit(text, roundTrip) {
    this.statements++;
    if (roundTrip) this.roundTrips++;
    this.texts.push(text);
  }
  /** What was counted since the last call, and a fresh start. */
  take() {
    const got = { statements: this.statements, roundTrips: this.roundTrips, texts: this.texts };
    this.statements = 0;
    this.roundTrips = 0;
    this.texts = [];
    return got;
  }
}

/** Counts every query of every client of a `pg.Pool` (Kysely runs each statement as one query). */
export function countPgPool(pool, counter) {
  pool.on('connect', (client) => {
    const query = client.query.bind(client);
    client.query = (q, ...rest) => {
      counter.hit(typeof q === 'string' ? q : q.text, true);
      return query(q, ...rest);
    };
  });
}

/**
 * Counts every statement better-sqlite3 prepares in this process (Kysely prepares each one it
 * runs, BEGIN and COMMIT included). Returns the undo.
 */
export function countSqlite(counter) {
  const proto = BetterSqlite3.prototype;
  const prepare = proto.prepare;
  proto.prepare = function (source, ...rest) {
    counter.hit(source, false);
    return prepare.call(this, source, ...rest);
  };
  return () => {
    proto.prepare = prepare;
  };
}

/** Counts every command an ioredis client (standalone or Cluster) sends. */
export function countRedis(client, counter) {
  const send = client.sendCommand.bind(client);
  client.sendCommand = (command, ...rest) => {
    counter.hit(command.name, true);
    return send(command, ...rest);
  };
}
