/** What every part of the portal is given: its settings, database, users and the live 2FA setup. */
import type { ProviderRegistry } from '@factorkit/core';
import type { PortalDatabase } from './db/database.js';
import type { LoginLimit } from './http/login-limit.js';
import type { PortalSettings } from './settings.js';
import type { DemoServices } from './twofactor/emulators.js';
import type { LiveTwoFactor } from './twofactor/live.js';
import type { UserStore } from './users/user-store.js';

export interface Portal {
  readonly settings: PortalSettings;
  readonly origin: string;
  readonly db: PortalDatabase;
  readonly users: UserStore;
  readonly live: LiveTwoFactor;
  readonly registry: ProviderRegistry;
  /** Failed password logins per email and per client address. */
  readonly loginLimit: LoginLimit;
  /** The in-process Duo emulator and offline YubiCloud, when they are used. */
  readonly demo: DemoServices | undefined;
  /** Where factorkit's routes and pages are mounted. */
  readonly prefix: string;
  readonly now: () => number;
  readonly log: (message: string, error?: unknown) => void;
}

declare module 'express-session' {
  interface SessionData {
    userId?: string;
    /** What the login form showed last (a one-shot message), so a refresh does not repost. */
    flash?: { kind: 'error' | 'notice'; message: string; email?: string };
  }
}
