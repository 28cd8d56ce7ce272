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
  /**
   * The application policy "Remembered devices": how long a `trusted_device_token` lets the
   * user skip the second factor, in seconds. Absent (the default): remembered devices are off.
   */
  rememberDevicesSec?: number;
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
  /** The application's logo, PNG bytes (`/auth/v2/logo` serves it; 40401 when absent). */
  logo?: Uint8Array;
  /** Enables remembered devices for this many seconds (see AuthApiApp). Off by default. */
  rememberDevicesSec?: number;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

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

function checkPng(bytes: Uint8Array): void {
  if (!Buffer.from(bytes.subarray(0, 8)).equals(PNG_SIGNATURE))
    throw new DuoEmulatorError('APP_INVALID', 'A logo must be a PNG image.');
}

function checkTtl(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds <= 0)
    throw new DuoEmulatorError('APP_INVALID', 'rememberDevicesSec must be a positive integer.');
  return seconds;
}

export class AppRegistry {
  private readonly byKey = new Map<string, EmulatorApp>();
  private readonly logos = new Map<string, Buffer>();

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
      ...(input.rememberDevicesSec !== undefined
        ? { rememberDevicesSec: checkTtl(input.rememberDevicesSec) }
        : {}),
    };
    if (input.logo) checkPng(input.logo);
    this.add(app.ikey, app.skey, app);
    if (input.logo) this.logos.set(app.ikey, Buffer.from(input.logo));
    return app;
  }

  /** Sets (or, with undefined, removes) an Auth API application's logo (PNG bytes). */
  setLogo(ikey: string, png: Uint8Array | undefined): void {
    if (this.get(ikey)?.type !== 'authapi')
      throw new DuoEmulatorError('APP_INVALID', 'No Auth API application with this key.');
    if (png === undefined) {
      this.logos.delete(ikey);
      return;
    }
    checkPng(png);
    this.logos.set(ikey, Buffer.from(png));
  }

  /** Sets the "Remembered devices" policy of an Auth API application (undefined: off). */
  setRememberDevices(ikey: string, seconds: number | undefined): void {
    const app = this.get(ikey);
    if (app?.type !== 'authapi')
      throw new DuoEmulatorError('APP_INVALID', 'No Auth API application with this key.');
    if (seconds === undefined) delete app.rememberDevicesSec;
    else app.rememberDevicesSec = checkTtl(seconds);
  }

  logo(ikey: string): Buffer | undefined {
    return this.logos.get(ikey);
  }

  get(key: string): EmulatorApp | undefined {
    return this.byKey.get(key);
  }

  list(): EmulatorApp[] {
    return [...this.byKey.values()];
  }

  remove(key: string): boolean {
    this.logos.delete(key);
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
