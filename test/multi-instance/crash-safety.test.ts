/**
 * Crash safety: an app process killed (SIGKILL, no clean-up code runs) in the middle of an
 * activation transaction leaves no half-active enrollment, loses no existing enrollment or
 * recovery code, and leaves no lock behind that would block the next activation.
 * Also: several processes on one SQLite file still make each decision once (SQLite serialises
 * writers across processes), which is what makes it correct for a single node.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ProviderRegistry,
  TwoFactorService,
  loadDeploymentConfig,
  type ActivationCompleted,
  type ActivationStarted,
  type EnrollmentRecord,
  type QrEnrollmentPrompt,
} from '@factorkit/core';
import { FakeClock } from '@factorkit/core/testing';
import { TotpProvider } from '@factorkit/provider-totp';
import { openSqlStores, type SqlStores } from '@factorkit/store-sql';
import {
  Instance,
  PG_URL,
  dropSchema,
  encryptionKey,
  probeServers,
  tally,
  totpCode,
  uniqueName,
  type WorkerConfig,
} from './rig.js';

const server = await probeServers(false);
const dir = mkdtempSync(join(tmpdir(), 'factorkit-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const NOW = 1_800_000_000_000;

const enrollment = (o: Partial<EnrollmentRecord>): EnrollmentRecord => ({
  id: `e-${Math.random().toString(36).slice(2)}`,
  userId: 'crash-user',
  providerId: 'totp',
  label: 'Authenticator app',
  secret: 'sealed-existing',
  counter: 7,
  createdAt: NOW,
  lastUsedAt: null,
  ...o,
});

interface Target {
  name: string;
  skip: boolean;
  sql(): { config: WorkerConfig['sql']; cleanup: () => Promise<void> };
}

const targets: Target[] = [
  {
    name: 'SQLite (file shared by the processes)',
    skip: false,
    sql: () => ({
      config: { dialect: 'sqlite', filename: join(dir, `${uniqueName('crash')}.db`) },
      cleanup: async () => undefined,
    }),
  },
  {
    name: `PostgreSQL ${server.reason}`,
    skip: !server.ok,
    sql() {
      const schema = uniqueName('crash');
      return {
        config: { dialect: 'postgres', connectionString: PG_URL, schema, poolSize: 2 },
        cleanup: () => dropSchema(schema),
      };
    },
  },
];

for (const t of targets) {
  describe.skipIf(t.skip)(`crash safety on ${t.name}`, () => {
    it('SIGKILL inside the activation transaction: no half-active enrollment, nothing existing lost, no lock left (EN-02: all or nothing)', async () => {
      const { config, cleanup } = t.sql();
      let parent: SqlStores | undefined;
      let child: Instance | undefined;
      try {
        parent = await openSqlStores(config);
        const s = parent.stores.enrollments;
        // Another user's factor and half-used codes must come through untouched; the activation
        // in flight is crash-user's first factor, so it writes an enrollment and a code set in
        // one transaction: the riskiest moment to die.
        const existing = enrollment({ userId: 'other-user' });
        await s.activate({ enrollment: existing, recoveryCodeHashes: ['old-1', 'old-2'] });
        expect(await s.consumeRecoveryCode('other-user', 'old-1', NOW)).toBe('consumed');

        child = await Instance.start({
          sql: config,
          encryptionKey: encryptionKey(),
          hangInsideActivation: true,
        });
        const inside = child.once('inside-activation');
        const second = enrollment({
          providerId: 'second-factor',
          secret: 'sealed-new',
          counter: null,
        });
        // Never answered: the process dies inside the transaction.
        void child.call('enrollments', 'activate', [
          { enrollment: second, recoveryCodeHashes: ['new-1', 'new-2'] },
        ]);
        expect((await inside)['enrollmentId']).toBe(second.id);
        const t0 = performance.now();
        await child.kill('SIGKILL');
        expect(child.child.signalCode).toBe('SIGKILL');

        // No trace of the activation, everything that existed is intact.
        expect(await s.listByUser('crash-user')).toEqual([]);
        expect(await s.listByUser('other-user')).toEqual([existing]);
        expect(await s.get(second.id)).toBeNull();
        expect(await s.countRecoveryCodes('crash-user')).toBe(0);
        expect(await s.consumeRecoveryCode('crash-user', 'new-1', NOW)).toBe('not_found');
        expect(await s.consumeRecoveryCode('other-user', 'old-1', NOW)).toBe('already_used');
        expect(await s.countRecoveryCodes('other-user')).toBe(1);

        // Nothing is left locked: the same activation now succeeds at once from another process.
        expect(
          await s.activate({ enrollment: second, recoveryCodeHashes: ['new-1', 'new-2'] }),
        ).toEqual({ recoveryCodesIssued: true });
        console.log(
          `[multi-instance timing] ${t.name}: recovery after SIGKILL (checks + re-activation): ${(performance.now() - t0).toFixed(0)} ms`,
        );
        expect((await s.listByUser('crash-user')).map((e) => e.providerId)).toEqual([
          'second-factor',
        ]);
        expect(await s.countRecoveryCodes('crash-user')).toBe(2);
      } finally {
        await child?.kill('SIGKILL');
        await parent?.close();
        await cleanup();
      }
    });
  });
}

/** An instance inside the test process itself: the survivor next to the killed one. */
function inProcessService(sql: SqlStores, key: string, clock: FakeClock): TwoFactorService {
  const registry = new ProviderRegistry({ clock });
  registry.register(TotpProvider);
  const config = loadDeploymentConfig(
    {
      providers: { totp: { enabled: true, settings: { issuer: 'factorkit crash test' } } },
      encryption: { activeKeyId: 'k1', keys: { k1: key } },
    },
    registry,
  );
  return new TwoFactorService({ registry, config, stores: sql.stores });
}

for (const t of targets) {
  describe.skipIf(t.skip)(`crash safety through the service on ${t.name}`, () => {
    it('SIGKILL while an instance completes a TOTP activation: the user is not enrolled, the activation id is spent, a fresh activation works elsewhere (EN-01, EN-02)', async () => {
      const { config, cleanup } = t.sql();
      let sql: SqlStores | undefined;
      let dying: Instance | undefined;
      try {
        sql = await openSqlStores(config);
        const key = encryptionKey();
        const clock = new FakeClock(NOW);
        const survivor = inProcessService(sql, key, clock);
        const u = {
          id: `crash-svc-${process.pid}`,
          audience: 'client',
          username: 'crash@example.test',
        };
        dying = await Instance.start({
          sql: config,
          encryptionKey: key,
          hangInsideActivation: true,
        });
        const d = dying.policy('default');

        const started = await d.ok<ActivationStarted>('beginActivation', [u, 'totp'], NOW);
        const uri = (started.prompt as QrEnrollmentPrompt).otpauthUri;
        const inside = dying.once('inside-activation');
        // Never answered: the instance dies inside the activation transaction.
        void d.service('completeActivation', [started.activationId, u, totpCode(uri, NOW)], NOW);
        await inside;
        await dying.kill('SIGKILL');

        expect(await survivor.listEnrollments(u)).toEqual([]);
        expect(await sql.stores.enrollments.countRecoveryCodes(u.id)).toBe(0);
        // The dead instance had taken the single-use activation id: nobody can finish it now.
        await expect(
          survivor.completeActivation(started.activationId, u, totpCode(uri, NOW)),
        ).rejects.toMatchObject({ code: 'CHALLENGE_NOT_FOUND' });
        // The user starts again on a live instance, which is not blocked by any leftover lock.
        const again = await survivor.beginActivation(u, 'totp');
        clock.advance(30_000);
        const done = await survivor.completeActivation(
          again.activationId,
          u,
          totpCode((again.prompt as QrEnrollmentPrompt).otpauthUri, clock.now()),
        );
        expect(done).toMatchObject({ ok: true, providerId: 'totp' });
        expect((done as ActivationCompleted).recoveryCodes?.length).toBe(10);
        expect((await survivor.listEnrollments(u)).length).toBe(1);
      } finally {
        await dying?.kill('SIGKILL');
        await sql?.close();
        await cleanup();
      }
    });
  });
}

describe('two processes on one SQLite file', () => {
  it('race 50 compare-and-sets and 30 recovery-code uses across processes: each wins exactly once (CC-01, CC-02)', async () => {
    const filename = join(dir, `${uniqueName('sqlite_procs')}.db`);
    const parent = await openSqlStores({ dialect: 'sqlite', filename });
    const procs: Instance[] = [];
    try {
      const e = enrollment({ counter: 100 });
      await parent.stores.enrollments.activate({ enrollment: e, recoveryCodeHashes: ['rc'] });
      const config: WorkerConfig = {
        sql: { dialect: 'sqlite', filename },
        encryptionKey: encryptionKey(),
      };
      procs.push(...(await Promise.all([Instance.start(config), Instance.start(config)])));
      const t0 = performance.now();
      const cas = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          procs[i % 2]!.call<boolean>('enrollments', 'advanceCounter', [e.id, 101, NOW]),
        ),
      );
      const rc = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          procs[i % 2]!.call<string>('enrollments', 'consumeRecoveryCode', [
            'crash-user',
            'rc',
            NOW,
          ]),
        ),
      );
      console.log(
        `[multi-instance timing] SQLite, 2 processes: 50 CAS + 30 code uses: ${(performance.now() - t0).toFixed(0)} ms`,
      );
      expect(cas.every((r) => r.ok)).toBe(true);
      expect(cas.filter((r) => r.ok && r.value === true).length).toBe(1);
      expect(tally(rc)).toEqual({ ok: 30 });
      expect(rc.filter((r) => r.ok && r.value === 'consumed').length).toBe(1);
      expect((await parent.stores.enrollments.get(e.id))?.counter).toBe(101);
    } finally {
      await Promise.all(procs.map((p) => p.stop()));
      await parent.close();
    }
  });
});
