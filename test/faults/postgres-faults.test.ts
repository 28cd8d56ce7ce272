/**
 * A private PostgreSQL (its own data folder and port) killed, paused and stripped of its
 * connections while factorkit works on it. Every outcome is asserted: a typed
 * STORE_UNAVAILABLE while the database is gone, never a success; after a restart nothing is
 * half-done, no recovery code is lost and none is used twice (OUT-05, EN-02, RP-03).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { openSqlStores, type SqlStores } from '@factorkit/store-sql';
import { SecretBox, type EnrollmentStore } from '@factorkit/core';
import { encryptionKey, totpCode } from '../multi-instance/rig.js';
import {
  STEP,
  enroll,
  newUser,
  outcome,
  serviceOn,
  type Rig,
  retryWhileUnavailable,
} from './fault-rig.js';
import { PrivatePostgres, postgresBinDir } from './private-servers.js';

const available = postgresBinDir() !== null;
if (!available && process.env['CI'] === 'true')
  throw new Error('CI=true requires PostgreSQL binaries');
const QUERY_TIMEOUT_MS = 1500;

describe.skipIf(!available)('faults on a private PostgreSQL', () => {
  let server: PrivatePostgres;
  let sql: SqlStores;
  let rig: Rig;
  /** The key `rig` seals with: the old key of the rotation test. */
  const oldKey = encryptionKey();
  /** Armed by the rotation test: called after each secret is resealed. */
  let afterReseal: ((done: number) => Promise<void>) | undefined;
  /** Armed by a test: the activation transaction waits here (rows written, not committed). */
  let holdActivation: { reached: () => void; release: Promise<void> } | undefined;

  beforeAll(async () => {
    server = await PrivatePostgres.start();
    sql = await openSqlStores({
      dialect: 'postgres',
      connectionString: server.url,
      poolSize: 4,
      queryTimeoutMs: QUERY_TIMEOUT_MS,
      testHooks: {
        async insideActivation() {
          const hold = holdActivation;
          holdActivation = undefined;
          if (hold) {
            hold.reached();
            await hold.release;
          }
        },
      },
    });
    rig = serviceOn(sql.stores, oldKey);
  }, 90_000);
  afterAll(async () => {
    await sql?.close().catch(() => undefined);
    await server?.stop();
  });

  it('SIGKILL inside an activation transaction: STORE_UNAVAILABLE, after a restart the user is not enrolled and a fresh activation issues a full set of codes (OUT-05, EN-02)', async () => {
    const user = newUser('kill-activation');
    const started = await rig.service.beginActivation(user, 'totp');
    const uri = (started.prompt as { otpauthUri: string }).otpauthUri;
    let reached!: () => void;
    let release!: () => void;
    const inside = new Promise<void>((r) => (reached = r));
    holdActivation = { reached, release: new Promise<void>((r) => (release = r)) };
    const completing = outcome(
      rig.service.completeActivation(started.activationId, user, totpCode(uri, rig.clock.now())),
    );
    await inside;
    await server.kill();
    release();
    expect(await completing).toBe('STORE_UNAVAILABLE');
    // While it is down: every call is STORE_UNAVAILABLE, never a success or a wrong-code answer.
    expect(await outcome(rig.service.listEnrollments(user))).toBe('STORE_UNAVAILABLE');
    expect(await outcome(rig.service.beginActivation(user, 'totp'))).toBe('STORE_UNAVAILABLE');

    await server.startServer();
    const listed = await retryWhileUnavailable(() => rig.service.listEnrollments(user));
    expect(listed).toEqual([]);
    expect(await rig.service.recoveryCodeStatus(user)).toMatchObject({ remaining: 0 });
    const { done } = await enroll(rig, user);
    expect(done.recoveryCodes).toHaveLength(10);
    expect(await rig.service.listEnrollments(user)).toHaveLength(1);
  });

  it('SIGKILL while a recovery-code sign-in is in flight: STORE_UNAVAILABLE; after a restart the code works exactly once (OUT-05, RP-03)', async () => {
    const user = newUser('kill-signin');
    const { done } = await enroll(rig, user);
    const code = done.recoveryCodes![0]!;
    // Paused first, so the sign-in's statements are surely in flight when the kill lands.
    server.pause();
    const signingIn = outcome(rig.service.useRecoveryCode(user, code));
    await new Promise((r) => setTimeout(r, 200));
    await server.kill();
    expect(await signingIn).toBe('STORE_UNAVAILABLE');

    await server.startServer();
    await retryWhileUnavailable(() => rig.service.recoveryCodeStatus(user));
    expect(await rig.service.recoveryCodeStatus(user)).toMatchObject({ remaining: 10 });
    expect(await outcome(rig.service.useRecoveryCode(user, code))).toBe('ok');
    expect(await outcome(rig.service.useRecoveryCode(user, code))).toBe('CODE_ALREADY_USED');
    expect(await rig.service.recoveryCodeStatus(user)).toMatchObject({ remaining: 9 });
  });

  it('a pool that loses every connection (all backends terminated): calls fail as STORE_UNAVAILABLE or succeed on a new connection, and a recovery code raced 3 times is consumed once (OUT-05, RP-03)', async () => {
    const user = newUser('pool-loss');
    const { done } = await enroll(rig, user);
    // Fill the pool with open connections, then cut every one of them from the server side.
    await Promise.all(Array.from({ length: 8 }, () => rig.service.recoveryCodeStatus(user)));
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    const cut = await admin.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where pid <> pg_backend_pid() and backend_type = $1',
      ['client backend'],
    );
    await admin.end();
    expect(cut.rowCount).toBeGreaterThan(0);
    const code = done.recoveryCodes![1]!;
    const outcomes = await Promise.all(
      Array.from({ length: 3 }, () => outcome(rig.service.useRecoveryCode(user, code))),
    );
    for (const o of outcomes) expect(['ok', 'CODE_ALREADY_USED', 'STORE_UNAVAILABLE']).toContain(o);
    expect(outcomes.filter((o) => o === 'ok').length).toBeLessThanOrEqual(1);
    // Once the pool has replaced its connections, the code is spent exactly once in total.
    const final = await retryWhileUnavailable(() =>
      rig.service.useRecoveryCode(user, code).then(
        () => 'ok',
        (e: { code?: string }) => {
          if (e.code === 'STORE_UNAVAILABLE') throw e;
          return e.code ?? 'error';
        },
      ),
    );
    const successes = outcomes.filter((o) => o === 'ok').length + (final === 'ok' ? 1 : 0);
    expect(successes).toBe(1);
    expect(await rig.service.recoveryCodeStatus(user)).toMatchObject({ remaining: 9 });
  });

  it('SIGSTOP of the database (a network pause): calls fail as STORE_UNAVAILABLE within the query timeout, never a success; after SIGCONT the same TOTP code is accepted at most once (OUT-05, RP-01)', async () => {
    const user = newUser('pause');
    const { uri } = await enroll(rig, user);
    rig.clock.set(rig.clock.now() + 2 * STEP);
    const challenge = await rig.service.beginChallenge(user);
    const code = totpCode(uri, rig.clock.now());
    server.pause();
    const t0 = Date.now();
    const paused = await outcome(rig.service.completeChallenge(challenge.challengeId, user, code));
    const waited = Date.now() - t0;
    server.resume();
    expect(paused).toBe('STORE_UNAVAILABLE');
    expect(waited).toBeGreaterThanOrEqual(QUERY_TIMEOUT_MS - 100);
    expect(waited).toBeLessThan(QUERY_TIMEOUT_MS * 4);
    // The statement sent before the pause may still have run after it; either way the code
    // counts once: accepted now, or already used.
    const results: string[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await retryWhileUnavailable(() => rig.service.beginChallenge(user));
      results.push(await outcome(rig.service.completeChallenge(c.challengeId, user, code)));
    }
    expect(results.filter((r) => r === 'ok').length).toBeLessThanOrEqual(1);
    expect(results.slice(1)).toEqual(['CODE_ALREADY_USED', 'CODE_ALREADY_USED']);
  });

  it('SIGKILL during key rotation: the run fails as STORE_UNAVAILABLE, every secret stays whole under the old key or the new, and a second run after the restart finishes; then every user signs in on the new key alone (OUT-05, SS-08)', async () => {
    const users = Array.from({ length: 6 }, (_, i) => newUser(`rotate-${i}`));
    const uris = new Map<string, string>();
    for (const u of users) uris.set(u.id, (await enroll(rig, u)).uri);
    const newKey = encryptionKey();
    const both = { activeKeyId: 'k2', keys: { k1: oldKey, k2: newKey } };
    // The enrollment store the rotation writes through, which kills the server after 3 reseals.
    let resealed = 0;
    const enrollments = new Proxy(sql.stores.enrollments, {
      get(target, prop, receiver) {
        if (prop === 'replaceSecret')
          return async (id: string, expected: string, next: string) => {
            const done = await target.replaceSecret(id, expected, next);
            if (done) await afterReseal?.(++resealed);
            return done;
          };
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      },
    }) as EnrollmentStore;
    afterReseal = async (n) => {
      if (n === 3) await server.kill();
    };
    const rotating = serviceOn({ ...sql.stores, enrollments }, newKey, both);
    expect(await outcome(rotating.service.rotateEncryptionKeys(4))).toBe('STORE_UNAVAILABLE');
    afterReseal = undefined;

    await server.startServer();
    const keyIds = async () => {
      const ids: string[] = [];
      for (let after: string | null = null; ;) {
        const page: Awaited<ReturnType<EnrollmentStore['listAll']>> = await retryWhileUnavailable(
          () => sql.stores.enrollments.listAll(after, 100),
        );
        if (page.length === 0) return ids;
        ids.push(...page.map((e) => SecretBox.keyIdOf(e.secret) ?? 'none'));
        after = page[page.length - 1]!.id;
      }
    };
    const split = await keyIds();
    // Killed part-way: some rows moved, some not, and none is anything but whole on one key.
    expect(split.filter((id) => id === 'k2')).toHaveLength(3);
    expect(split.filter((id) => id === 'k1').length).toBeGreaterThan(0);
    expect(split.every((id) => id === 'k1' || id === 'k2')).toBe(true);

    const again = await serviceOn(sql.stores, newKey, both).service.rotateEncryptionKeys(4);
    expect(again).toEqual({ rotated: split.length - 3, unchanged: 3, failed: [] });
    expect((await keyIds()).every((id) => id === 'k2')).toBe(true);

    // The old key is dropped from the ring: every user still signs in with their app.
    const after = serviceOn(sql.stores, newKey, { activeKeyId: 'k2', keys: { k2: newKey } });
    after.clock.set(rig.clock.now() + 2 * STEP);
    for (const u of users) {
      const c = await after.service.beginChallenge(u);
      const code = totpCode(uris.get(u.id)!, after.clock.now());
      expect(await outcome(after.service.completeChallenge(c.challengeId, u, code))).toBe('ok');
    }
  });
});
