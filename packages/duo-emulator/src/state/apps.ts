import { DuoEmulatorError } from '../errors.js';
import { duoId, duoSecret } from './random.js';
import type { PromptAction } from './users.js';

/** A Web SDK (Universal Prompt) application: Client ID 20 chars, Client Secret 40 chars. */
export interface WebSdkApp {
  type: 'websdk';
  name: string;
  clientId: string;
  clientSecret: string;
  /** When set, `redirect_uri` must equal one of these exactly; otherwise any URI is accepted. */
  redirectUris?: string[];
  /**
   * What the prompt does for this application's users who have no `promptAction` of their own
   * (also for names Duo does not know yet, e.g. `enroll` for a headless self-enrolment); it comes
   * before the `promptAction` fault.
   */
  promptAction?: PromptAction;
}

/** An Auth API application: Integration Key and Secret Key. */
export interface AuthApiApp {
  type: 'authapi';
  name: string;
  ikey: string;
  skey: string;
}

export type EmulatorApp = WebSdkApp | AuthApiApp;

export interface WebSdkAppInput {
  name?: string;
  clientId?: string;
  clientSecret?: string;
  redirectUris?: string[];
  promptAction?: PromptAction;
}

export interface AuthApiAppInput {
  name?: string;
  ikey?: string;
  skey?: string;
}

function checkCredential(id: string, secret: string): void {
  if (id.length !== 20 || !/^[A-Za-z0-9]+$/.test(id)) {
    throw new DuoEmulatorError(
      'APP_INVALID',
      'An application id must be 20 alphanumeric characters.',
    );
  }
  if (secret.length !== 40) {
    throw new DuoEmulatorError('APP_INVALID', 'An application secret must be 40 characters.');
  }
}

export class AppRegistry {
  private readonly byKey = new Map<string, EmulatorApp>();

  createWebSdk(input: WebSdkAppInput = {}): WebSdkApp {
    const app: WebSdkApp = {
      type: 'websdk',
      name: input.name ?? 'Web SDK application',
      clientId: input.clientId ?? duoId('DI'),
      clientSecret: input.clientSecret ?? duoSecret(),
      ...(input.redirectUris ? { redirectUris: [...input.redirectUris] } : {}),
      ...(input.promptAction ? { promptAction: input.promptAction } : {}),
    };
    this.add(app.clientId, app.clientSecret, app);
    return app;
  }

  createAuthApi(input: AuthApiAppInput = {}): AuthApiApp {
    const app: AuthApiApp = {
      type: 'authapi',
      name: input.name ?? 'Auth API application',
      ikey: input.ikey ?? duoId('DI'),
      skey: input.skey ?? duoSecret(),
    };
    this.add(app.ikey, app.skey, app);
    return app;
  }

  get(key: string): EmulatorApp | undefined {
    return this.byKey.get(key);
  }

  list(): EmulatorApp[] {
    return [...this.byKey.values()];
  }

  remove(key: string): boolean {
    return this.byKey.delete(key);
  }

  private add(id: string, secret: string, app: EmulatorApp): void {
    checkCredential(id, secret);
    if (this.byKey.has(id)) {
      throw new DuoEmulatorError('APP_INVALID', 'An application with this id already exists.');
    }
    this.byKey.set(id, app);
  }
}
