// What a host does when it starts, in a fresh process: import core and the TOTP provider,
// register it, load (and validate) a deployment config, build the service. The cold-start
// suite spawns this file. With `--phases` it prints how long each phase took (ms, as JSON);
// otherwise it prints nothing. It exits 0 only when the service was built.
import { performance } from 'node:perf_hooks';

const t0 = performance.now();
const { ProviderRegistry, TwoFactorService, loadDeploymentConfig, MemoryStore } =
  await import('@factorkit/core');
const { TotpProvider } = await import('@factorkit/provider-totp');
const t1 = performance.now();
const registry = new ProviderRegistry().register(TotpProvider);
const config = loadDeploymentConfig(
  {
    providers: {
      totp: { enabled: true, audiences: ['client', 'admin'], settings: { issuer: 'Bench' } },
    },
    encryption: { activeKeyId: 'k1', keys: { k1: process.env.FACTORKIT_BENCH_KEY } },
  },
  registry,
);
const t2 = performance.now();
const service = new TwoFactorService({ registry, config, stores: new MemoryStore() });
const t3 = performance.now();
if (typeof service.beginChallenge !== 'function') process.exit(1);
if (process.argv.includes('--phases')) {
  const boot = t0; // time from process start to the first line of this file
  console.log(JSON.stringify({ boot, import: t1 - t0, load: t2 - t1, build: t3 - t2 }));
}
