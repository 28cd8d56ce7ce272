// One app process for the processes suite (60-processes.mjs): TOTP sign-ins (beginChallenge +
// completeChallenge with the right code) on enrollments in PostgreSQL and pending state and
// throttles in Redis, as a host composes them. Started with child_process.fork; its settings
// come as JSON in FACTORKIT_BENCH_WORKER, and the parent drives it over IPC:
//   -> { type: 'run', startAt, ms }   sign in for `ms` from the wall-clock time `startAt`
//   <- { type: 'done', signIns, failures, firstFailure, elapsedMs, cpuMs }
//   -> { type: 'stop' }               close every connection and leave
// Each concurrent loop has its own user and its own TwoFactorService over the shared stores,
// with its own fake clock moved a TOTP step after each sign-in: a right code is never a replay
// of the loop's previous one (RP-02 refuses those), and no loop moves another's clock, so no
// pending step expires under a neighbour's sign-in. The users are distinct per process (the
// tag), so throttles and replay counters never cross processes either.
import { ProviderRegistry, TwoFactorService, loadDeploymentConfig } from '@factorkit/core';
import { FakeClock } from '@factorkit/core/testing';
import { TotpProvider } from '@factorkit/provider-totp';
import { createRedisStores } from '@factorkit/store-redis';
import { createSqlStores } from '@factorkit/store-sql';
import * as OTPAuth from 'otpauth';

const STEP_MS = 30_000;
const cfg = JSON.parse(process.env.FACTORKIT_BENCH_WORKER ?? '{}');

const sql = createSqlStores({
  dialect: 'postgres',
  connectionString: cfg.pgUrl,
  schema: cfg.schema,
  poolSize: cfg.poolSize,
});
const redis = createRedisStores({ url: cfg.redisUrl, prefix: cfg.prefix });
const stores = {
  enrollments: sql.stores.enrollments,
  pending: redis.stores.pending,
  throttle: redis.stores.throttle,
};

/** One sign-in loop: a user enrolled in TOTP, and a service whose clock only this loop moves. */
async function enrolledLoop(index) {
  const clock = new FakeClock(Date.now());
  const registry = new ProviderRegistry({ clock });
  registry.register(TotpProvider);
  const config = loadDeploymentConfig(
    {
      providers: { totp: { enabled: true, settings: { issuer: 'factorkit bench' } } },
      encryption: { activeKeyId: 'k1', keys: { k1: cfg.encryptionKey } },
    },
    registry,
  );
  const service = new TwoFactorService({ registry, config, stores });
  const user = {
    id: `bench-${cfg.tag}-${index}`,
    audience: 'client',
    username: `bench-${cfg.tag}-${index}@example.test`,
  };
  const started = await service.beginActivation(user, 'totp');
  const app = OTPAuth.URI.parse(started.prompt.otpauthUri);
  await service.completeActivation(
    started.activationId,
    user,
    app.generate({ timestamp: clock.now() }),
  );
  clock.advance(STEP_MS);
  return { clock, service, user, app };
}

const loops = [];
for (let i = 0; i < cfg.loops; i++) loops.push(await enrolledLoop(i));

async function signInUntil(loop, deadline, tally) {
  while (Date.now() < deadline) {
    try {
      const ch = await loop.service.beginChallenge(loop.user);
      const code = loop.app.generate({ timestamp: loop.clock.now() });
      const done = await loop.service.completeChallenge(ch.challengeId, loop.user, code);
      if (done.ok === true) tally.signIns++;
      else tally.failures++;
    } catch (err) {
      tally.failures++;
      tally.firstFailure ??= `${err?.code ?? err?.name}: ${err?.message}`;
    }
    loop.clock.advance(STEP_MS);
  }
}

async function run({ startAt, ms }) {
  const wait = startAt - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const tally = { signIns: 0, failures: 0 };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const deadline = Date.now() + ms;
  await Promise.all(loops.map((loop) => signInUntil(loop, deadline, tally)));
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { ...tally, elapsedMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

process.on('message', async (msg) => {
  if (msg?.type === 'run') {
    process.send({ type: 'done', ...(await run(msg)) });
  } else if (msg?.type === 'stop') {
    await redis.close();
    await sql.close();
    process.disconnect();
  }
});

process.send({ type: 'ready' });
