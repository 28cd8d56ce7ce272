/**
 * Test kit: a real Duo emulator over HTTPS, DuoProvider settings pointing at it through the
 * opt-in custom CA, core's harness, and a browser-less "user" that follows the Universal Prompt
 * with fetch (undici, trusting only the emulator CA) instead of a browser. No mock of Duo.
 */
import {
  FakeClock,
  createHarness,
  type Harness,
  type HarnessOptions,
} from '@factorkit/core/testing';
import { Logger, type FactorkitStores, type LogFields, type TwoFactorUser } from '@factorkit/core';
import {
  startDuoEmulator,
  type DuoEmulator,
  type DuoEmulatorOptions,
} from '@factorkit/duo-emulator';
import { Agent, fetch } from 'undici';
import { DuoProvider } from '../../src/index.js';

export const REDIRECT_URL = 'https://portal.example.test/2fa/duo/callback';

export async function startEmulator(options: DuoEmulatorOptions = {}): Promise<DuoEmulator> {
  return startDuoEmulator({
    ...options,
    // auth_status long-polls: keep a poll short so tests stay fast.
    settings: { longPollMs: 150, ...options.settings },
  });
}

export function universalSettings(emu: DuoEmulator, extra: Record<string, unknown> = {}) {
  return {
    version: 'universal',
    apiHost: emu.apiHost,
    allowCustomApiHost: true,
    caPem: emu.caPem,
    clientId: emu.webSdkApp!.clientId,
    clientSecret: emu.webSdkApp!.clientSecret,
    redirectUrl: REDIRECT_URL,
    requestTimeoutMs: 3000,
    healthTimeoutMs: 1500,
    ...extra,
  };
}

export function legacySettings(emu: DuoEmulator, extra: Record<string, unknown> = {}) {
  return {
    version: 'legacy',
    apiHost: emu.apiHost,
    allowCustomApiHost: true,
    caPem: emu.caPem,
    integrationKey: emu.authApiApp!.ikey,
    secretKey: emu.authApiApp!.skey,
    requestTimeoutMs: 3000,
    healthTimeoutMs: 1500,
    pollIntervalMs: 250,
    ...extra,
  };
}

export interface DuoHarness extends Harness {
  provider: DuoProvider;
}

/**
 * A harness whose fake clock starts at the real time: the Auth API signs `Date` with core's
 * clock, and the emulator checks it against its own (real) clock within 300 s.
 */
export function duoHarness(
  settings: Record<string, unknown>,
  options: {
    policy?: Record<string, unknown>;
    constants?: Record<string, string>;
    clock?: FakeClock;
    logger?: Logger;
    stores?: FactorkitStores;
    timeline?: HarnessOptions['timeline'];
  } = {},
): DuoHarness {
  const clock = options.clock ?? new FakeClock(Date.now());
  const h = createHarness({
    providers: [DuoProvider],
    settings: { duo: settings },
    clock,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.stores ? { stores: options.stores } : {}),
    ...(options.policy ? { policy: options.policy } : {}),
    ...(options.constants ? { constants: options.constants } : {}),
    ...(options.timeline ? { timeline: options.timeline } : {}),
  });
  return { ...h, provider: h.registry.get('duo') as DuoProvider };
}

const agents = new Map<string, Agent>();
function agentFor(ca: string): Agent {
  let a = agents.get(ca);
  if (!a) agents.set(ca, (a = new Agent({ connect: { ca } })));
  return a;
}

export type Decision = 'approve' | 'deny';

/**
 * Plays the user's browser on a Universal Prompt URL: GET it; when Duo answers with its prompt
 * page, submit the form (approve, enroll or deny); return the callback query Duo redirects to.
 */
export async function followPrompt(
  emu: DuoEmulator,
  url: string,
  decision: Decision = 'approve',
): Promise<Record<string, string>> {
  const dispatcher = agentFor(emu.caPem);
  let res = await fetch(url, { dispatcher, redirect: 'manual' });
  if (res.status === 200) {
    const html = await res.text();
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error(`no prompt form in Duo page: ${html.slice(0, 200)}`);
    const choice =
      decision === 'deny' ? 'deny' : html.includes('value="enroll"') ? 'enroll' : 'approve';
    res = await fetch(new URL(action.replace(/&amp;/g, '&'), url), {
      dispatcher,
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `decision=${choice}`,
    });
  }
  if (res.status !== 302 && res.status !== 303) {
    throw new Error(
      `expected a redirect from Duo, got HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`,
    );
  }
  await res.body?.cancel();
  const location = new URL(res.headers.get('location')!);
  if (location.origin + location.pathname !== REDIRECT_URL)
    throw new Error(`Duo redirected elsewhere: ${location.origin}${location.pathname}`);
  return Object.fromEntries(location.searchParams);
}

/** A user whose Duo username (template `{username}`) is `name`. */
export function duoUser(name: string, extra: Partial<TwoFactorUser> = {}): TwoFactorUser {
  return {
    id: `id-${name}-${Math.random().toString(36).slice(2, 8)}`,
    audience: 'client',
    username: name,
    email: `${name}@example.test`,
    ...extra,
  };
}

/** Runs `fn` and returns the typed error code it rejects with (fails the test on success). */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    const r = await p;
    throw new Error(`expected a rejection, got ${JSON.stringify(r)?.slice(0, 200)}`);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'string') throw err;
    return code;
  }
}

/** Enrolls `user` in Duo through the Universal Prompt (one round trip links the account). */
export async function enrollUniversal(h: DuoHarness, emu: DuoEmulator, user: TwoFactorUser) {
  const started = await h.service.beginActivation(user, 'duo');
  if (started.prompt.kind !== 'redirect') throw new Error('expected a redirect prompt');
  const cb = await followPrompt(emu, started.prompt.url, 'approve');
  return h.service.completeActivation(cb['state']!, user, cb);
}

/** Polls a push-wait step until it is no longer waiting (bounded). */
export async function pollUntilDone<T extends { ok: boolean }>(
  step: () => Promise<T>,
  max = 40,
): Promise<T> {
  for (let i = 0; i < max; i++) {
    const r = await step();
    if (r.ok || !(r as { waiting?: boolean }).waiting) return r;
  }
  throw new Error('still waiting after the polling bound');
}

/** Enrolls `user` through the Auth API (the emulator user answers pushes as scripted). */
export async function enrollLegacy(
  h: DuoHarness,
  user: TwoFactorUser,
  answer: unknown = { poll: true },
) {
  const started = await h.service.beginActivation(user, 'duo');
  return pollUntilDone(() => h.service.completeActivation(started.activationId, user, answer));
}

/** A logger that keeps every line, to prove what does (and does not) reach the logs. */
export class RecordingLogger extends Logger {
  readonly lines: Array<{ level: string; message: string; fields: LogFields | undefined }> = [];
  debug(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'debug', message, fields });
  }
  info(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'info', message, fields });
  }
  warn(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'warn', message, fields });
  }
  error(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'error', message, fields });
  }
}

/** Every string inside `value`: object fields, array items, and an Error's message, details and cause. */
export function stringsIn(value: unknown, depth = 0, out: string[] = []): string[] {
  if (depth > 8 || value === null || value === undefined) return out;
  if (typeof value === 'string') {
    out.push(value);
  } else if (value instanceof Error) {
    out.push(value.message);
    const e = value as Error & { details?: unknown; detail?: unknown };
    stringsIn(e.details, depth + 1, out);
    stringsIn(e.detail, depth + 1, out);
    stringsIn(e.cause, depth + 1, out);
  } else if (Array.isArray(value)) {
    for (const v of value) stringsIn(v, depth + 1, out);
  } else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      stringsIn(v, depth + 1, out);
    }
  }
  return out;
}

/**
 * The raw pieces of the emulator's HOSTILE_TEXT (and of any injected text): terminal escape and
 * control characters, and HTML that would run if echoed unescaped (DA-04, ASVS 16.4.1).
 */
// eslint-disable-next-line no-control-regex
const RAW_HOSTILE = /[\u0000-\u001f\u007f-\u009f]|<script|<img|<b>/i;

/** The strings in `value` that carry raw hostile text (empty when everything was neutralised). */
export function rawHostile(value: unknown): string[] {
  return stringsIn(value).filter((s) => RAW_HOSTILE.test(s));
}

/** Runs `p` and returns what it rejected with (fails the test on success). */
export async function rejectionOf(p: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    const r = await p;
    throw new Error(`expected a rejection, got ${JSON.stringify(r)?.slice(0, 200)}`);
  } catch (err) {
    if (typeof (err as { code?: unknown }).code !== 'string') throw err;
    return err as Error & { code?: string };
  }
}
