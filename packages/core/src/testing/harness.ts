import { loadDeploymentConfig, type DeploymentConfig } from '../config/deployment.js';
import { MemoryAuditSink } from '../events.js';
import type { TwoFactorUser } from '../provider/contract.js';
import { ProviderRegistry, type ProviderSource } from '../provider/registry.js';
import {
  CryptoRandomSource,
  NoopLogger,
  type HttpClient,
  type Logger,
  type RandomSource,
} from '../services.js';
import { TwoFactorService, type TwoFactorServiceOptions } from '../service/two-factor-service.js';
import { MemoryStore } from '../store/memory.js';
import type { FactorkitStores } from '../store/types.js';
import { FakeClock } from './fake-clock.js';

export interface HarnessOptions {
  /** Provider classes, `defineProvider` factories or instances to register. */
  providers: ProviderSource[];
  /** Settings per provider id (plain objects, validated against each provider's schema). */
  settings?: Record<string, unknown>;
  /** `maxEnrollments` per provider id (absent: the provider's default). */
  maxEnrollments?: Record<string, number>;
  /** Replaces the default policy (client and admin audiences, 2FA optional). */
  policy?: Record<string, unknown>;
  constants?: Record<string, string>;
  stores?: FactorkitStores;
  clock?: FakeClock;
  random?: RandomSource;
  logger?: Logger;
  http?: HttpClient;
  /** An encryption key (base64 of 32 bytes); a random one when absent. */
  encryptionKey?: string;
  /** The security notifier and timeline options, passed on to the service. */
  timeline?: Pick<TwoFactorServiceOptions, 'notifier' | 'notifyTimeoutMs' | 'timelineKeepPerUser'>;
}

export interface Harness {
  registry: ProviderRegistry;
  config: DeploymentConfig;
  service: TwoFactorService;
  stores: FactorkitStores;
  audit: MemoryAuditSink;
  clock: FakeClock;
}

/** A registry, a validated config, memory stores, a fake clock and a service, ready to test. */
export function createHarness(options: HarnessOptions): Harness {
  const clock = options.clock ?? new FakeClock();
  const random = options.random ?? new CryptoRandomSource();
  const registry = new ProviderRegistry({
    clock,
    random,
    logger: options.logger ?? new NoopLogger(),
    ...(options.http ? { http: options.http } : {}),
  });
  for (const p of options.providers) registry.register(p);
  const providers: Record<string, unknown> = {};
  for (const id of registry.ids())
    providers[id] = {
      enabled: true,
      settings: options.settings?.[id] ?? {},
      ...(options.maxEnrollments?.[id] === undefined
        ? {}
        : { maxEnrollments: options.maxEnrollments[id] }),
    };
  const config = loadDeploymentConfig(
    {
      providers,
      ...(options.policy ? { policy: options.policy } : {}),
      encryption: {
        activeKeyId: 'test',
        keys: { test: options.encryptionKey ?? Buffer.from(random.bytes(32)).toString('base64') },
      },
      ...(options.constants ? { constants: options.constants } : {}),
    },
    registry,
  );
  const stores = options.stores ?? new MemoryStore();
  const audit = new MemoryAuditSink();
  const service = new TwoFactorService({ registry, config, stores, audit, ...options.timeline });
  return { registry, config, service, stores, audit, clock };
}

let seq = 0;
/** A fresh user with a unique id. */
export function testUser(overrides: Partial<TwoFactorUser> = {}): TwoFactorUser {
  seq++;
  return {
    id: `user-${seq}-${Math.random().toString(36).slice(2, 8)}`,
    audience: 'client',
    username: `user${seq}@example.test`,
    email: `user${seq}@example.test`,
    ...overrides,
  };
}
