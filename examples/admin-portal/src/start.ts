/** Builds a running portal (everything but the listening socket, so tests can start several). */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProviderRegistry, type FactorkitStores } from '@factorkit/core';
import { DuoProvider } from '@factorkit/provider-duo';
import { TotpProvider } from '@factorkit/provider-totp';
import { WebauthnProvider } from '@factorkit/provider-webauthn';
import { YubikeyProvider } from '@factorkit/provider-yubikey';
import { createRedisStores } from '@factorkit/store-redis';
import { MemorySecondStepStore, type SecondStepStore } from '@factorkit/web';
import { RedisSecondStepStore } from '@factorkit/web/redis';
import type { Express } from 'express';
import { createApp, type AreaRegistrar } from './app.js';
import { SqlAuditSink } from './audit/sql-audit-sink.js';
import { openPortalDatabase } from './db/database.js';
import { LoginLimit } from './http/login-limit.js';
import { frame } from './http/html.js';
import { demoNotice, demoNoticeFor } from './http/render.js';
import type { Portal } from './portal.js';
import type { PortalSettings } from './settings.js';
import { OffsetClock } from './twofactor/clock.js';
import { defaultDocument } from './twofactor/deployment.js';
import { startDemoServices, type DemoServices } from './twofactor/emulators.js';
import { loadKeyRing } from './twofactor/encryption-keys.js';
import { LiveTwoFactor } from './twofactor/live.js';
import { seedDemoUsers, type DemoLogin } from './users/seed.js';
import { UserStore } from './users/user-store.js';
import { AREAS } from './areas.js';

export const PREFIX = '/2fa';

export interface RunningPortal {
  readonly app: Express;
  readonly origin: string;
  readonly portal: Portal;
  readonly logins: DemoLogin[];
  readonly demoNotice: string | undefined;
  stop(): Promise<void>;
}

function sessionSecret(dataDir: string): string {
  if (process.env['PORTAL_SESSION_SECRET']) return process.env['PORTAL_SESSION_SECRET'];
  const file = join(dataDir, 'session-secret');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    try {
      writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
    } catch {
      // another process wrote it first: use theirs
    }
  }
  return readFileSync(file, 'utf8').trim();
}

export async function startPortal(
  settings: PortalSettings,
  port: number,
  extra: AreaRegistrar[] = AREAS,
): Promise<RunningPortal> {
  const origin = settings.publicOrigin ?? `http://localhost:${port}`;
  const clock = new OffsetClock(settings.clockOffsetFile);
  const now = () => clock.now();
  const log = (message: string, error?: unknown) =>
    console.error(`portal: ${message}`, error instanceof Error ? error.stack : (error ?? ''));
  mkdirSync(settings.dataDir, { recursive: true, mode: 0o700 });
  const db = await openPortalDatabase(settings);
  const users = new UserStore(db.db);
  const logins = await seedDemoUsers(users, settings.dataDir, now());

  let demo: DemoServices | undefined;
  if (process.env['PORTAL_NO_EMULATORS'] !== '1') {
    const all = await users.all();
    demo = await startDemoServices(
      `${origin}${PREFIX}/callback/duo`,
      all.map((u) => ({
        email: u.email,
        aliases: u.license_key ? [`${u.email}:${u.email}:${u.license_key}`] : [],
      })),
    );
  }

  const registry = new ProviderRegistry({ clock });
  for (const p of [TotpProvider, DuoProvider, WebauthnProvider, YubikeyProvider])
    registry.register(p);

  const redis = settings.redisUrl
    ? createRedisStores({ url: settings.redisUrl, prefix: 'portal:fk:' })
    : undefined;
  const stores: FactorkitStores = redis
    ? {
        enrollments: db.sql.stores.enrollments,
        pending: redis.stores.pending,
        throttle: redis.stores.throttle,
      }
    : db.sql.stores;
  const secondStepStore: SecondStepStore = settings.redisUrl
    ? new RedisSecondStepStore({ url: settings.redisUrl, prefix: 'portal:second-step:' })
    : new MemorySecondStepStore();

  const live = new LiveTwoFactor({
    db: db.db,
    registry,
    stores,
    secondStepStore,
    audit: new SqlAuditSink(db.db, (err) => log('audit write failed', err)),
    demo,
    encryption: loadKeyRing(settings.dataDir),
    prefix: PREFIX,
    now,
    onError: (err, requestId) => log(`2FA request ${requestId} failed`, err),
    pages: (document) => ({
      afterSignIn: '/',
      signInUrl: '/login',
      signOutUrl: '/logout',
      siteName: 'Example Billing',
      templates: {
        layout: (v) =>
          frame({
            title: v.title,
            lang: v.lang,
            nonce: v.nonce,
            main: v.main,
            signOutUrl: v.signOutUrl,
            demoNotice: demoNoticeFor(document, demo),
          }),
      },
    }),
  });
  await live.start(defaultDocument(origin, PREFIX));

  const loginLimit = new LoginLimit(settings.redisUrl);
  const portal: Portal = {
    settings,
    origin,
    db,
    users,
    live,
    registry,
    loginLimit,
    demo,
    prefix: PREFIX,
    now,
    log,
  };
  const app = createApp(portal, sessionSecret(settings.dataDir), extra);
  return {
    app,
    origin,
    portal,
    logins,
    demoNotice: await demoNotice(portal),
    async stop() {
      await demo?.stop();
      await loginLimit.close();
      await (secondStepStore as { close?: () => Promise<void> }).close?.();
      await redis?.close();
      await db.close();
    },
  };
}
