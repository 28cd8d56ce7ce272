// One app instance for the multi-instance tests: its own registry, config and TwoFactorService,
// sharing only the database (and Redis) with the other instances. Plain JS so it runs as a
// separate Node process on the built packages, exactly as a host would import them.
//
// Config comes as JSON in FACTORKIT_WORKER_CONFIG. Requests arrive over the IPC channel:
//   { id, target: 'service:<policy>' | 'enrollments' | 'pending' | 'throttle', method, args, now }
// `now` sets this instance's clock first (all instances share one timeline set by the test).
import { ProviderRegistry, TwoFactorService, loadDeploymentConfig } from '@factorkit/core';
import { FakeClock } from '@factorkit/core/testing';
import { TotpProvider } from '@factorkit/provider-totp';
import { createRedisStores } from '@factorkit/store-redis';
import { createSqlStores } from '@factorkit/store-sql';

const cfg = JSON.parse(process.env.FACTORKIT_WORKER_CONFIG ?? '{}');
const clock = new FakeClock(cfg.startAt ?? Date.UTC(2026, 0, 1));

const testHooks = {
  // Crash-safety seam: block inside the activation transaction (after the writes, before the
  // commit) and tell the parent, which then kills this process with SIGKILL.
  ...(cfg.hangInsideActivation
    ? {
        async insideActivation(enrollment) {
          process.send({ type: 'inside-activation', enrollmentId: enrollment.id });
          await new Promise(() => undefined);
        },
      }
    : {}),
  // Race seam: hold each SQL quota take between reading its row and writing it.
  ...(cfg.quotaTakeDelayMs
    ? { insideQuotaTake: () => new Promise((resolve) => setTimeout(resolve, cfg.quotaTakeDelayMs)) }
    : {}),
};

const sql = createSqlStores({ ...cfg.sql, testHooks });
const redis = cfg.redis
  ? createRedisStores(
      cfg.redis.clusterNodes
        ? { cluster: { nodes: cfg.redis.clusterNodes }, prefix: cfg.redis.prefix }
        : { url: cfg.redis.url, prefix: cfg.redis.prefix },
    )
  : undefined;
const stores = redis
  ? {
      enrollments: sql.stores.enrollments,
      pending: redis.stores.pending,
      throttle: redis.stores.throttle,
    }
  : sql.stores;

const registry = new ProviderRegistry({ clock });
registry.register(TotpProvider);
// One service per named throttle policy (e.g. a wide budget for race tests and a strict one for
// lockout tests), so one process serves both without a second process start.
const services = {};
for (const [name, throttle] of Object.entries(cfg.throttles ?? { default: {} })) {
  const config = loadDeploymentConfig(
    {
      providers: { totp: { enabled: true, settings: { issuer: 'factorkit multi-instance test' } } },
      policy: {
        throttle,
        pending: { ttlSeconds: 300, maxAttempts: 5 },
        ...(cfg.audiences ? { audiences: cfg.audiences } : {}),
      },
      encryption: { activeKeyId: 'k1', keys: { k1: cfg.encryptionKey } },
    },
    registry,
  );
  services[`service:${name}`] = new TwoFactorService({ registry, config, stores });
}
const targets = {
  ...services,
  enrollments: stores.enrollments,
  pending: stores.pending,
  throttle: stores.throttle,
};

process.on('message', async (msg) => {
  if (msg?.type === 'stop') {
    await redis?.close();
    await sql.close();
    process.disconnect();
    return;
  }
  const { id, target, method, args, now } = msg;
  if (typeof now === 'number') clock.set(now);
  try {
    const t = targets[target];
    if (!t || typeof t[method] !== 'function') throw new TypeError(`no ${target}.${method}`);
    const value = await t[method](...(args ?? []));
    process.send({ id, ok: true, value: value === undefined ? null : value });
  } catch (err) {
    process.send({
      id,
      ok: false,
      error: { name: err?.name, code: err?.code ?? null, message: String(err?.message) },
    });
  }
});

process.send({ type: 'ready', pid: process.pid });
