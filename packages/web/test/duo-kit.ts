/**
 * Duo through the offline emulator for the web tests: provider settings pointing at it (its CA
 * trusted by the Duo client only), a browser-less user who follows the Universal Prompt over
 * HTTPS trusting only the emulator's CA, and users enrolled through core. No mock of Duo.
 */
import { request } from 'node:https';
import type { TwoFactorUser } from '@factorkit/core';
import { startDuoEmulator, type DuoEmulator } from '@factorkit/duo-emulator';
import { testUser, type Rig } from './rig.js';

/** What the Duo provider is told to send the browser back to (the handler's callback route). */
export const CALLBACK_PATH = '/2fa/callback/duo';

export async function startTestEmulator(): Promise<DuoEmulator> {
  // Scripted: the prompt redirects at once (approve) and pushes wait for the test's answer.
  return startDuoEmulator({
    faults: { promptAction: 'approve', pushAnswer: 'manual' },
    // auth_status long-polls: keep each ask short so the tests stay fast.
    settings: { longPollMs: 150 },
  });
}

/** The Universal Prompt's settings; `origin` is where the host's callback lives. */
export function universalSettings(emu: DuoEmulator, origin = 'https://portal.example.test') {
  return {
    version: 'universal',
    apiHost: emu.apiHost,
    allowCustomApiHost: true,
    caPem: emu.caPem,
    clientId: emu.webSdkApp!.clientId,
    clientSecret: emu.webSdkApp!.clientSecret,
    redirectUrl: `${origin}${CALLBACK_PATH}`,
    requestTimeoutMs: 3000,
    healthTimeoutMs: 1500,
  };
}

/** The legacy Auth API's settings (push). */
export function legacySettings(emu: DuoEmulator) {
  return {
    version: 'legacy',
    apiHost: emu.apiHost,
    allowCustomApiHost: true,
    caPem: emu.caPem,
    integrationKey: emu.authApiApp!.ikey,
    secretKey: emu.authApiApp!.skey,
    factor: 'push',
    requestTimeoutMs: 3000,
    healthTimeoutMs: 1500,
    pollIntervalMs: 250,
  };
}

/** One HTTPS GET to the emulator, trusting only its CA; the Location it redirects to. */
function redirectOf(emu: DuoEmulator, url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: emu.caPem }, (res) => {
      res.resume();
      const location = res.headers.location;
      if ((res.statusCode === 302 || res.statusCode === 303) && location !== undefined)
        resolve(location);
      else reject(new Error(`expected a redirect from Duo, got HTTP ${String(res.statusCode)}`));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Follows a redirect prompt as the user's browser would; the callback's query string. */
export async function followPrompt(emu: DuoEmulator, url: string): Promise<URLSearchParams> {
  const back = new URL(await redirectOf(emu, url));
  if (!back.pathname.endsWith(CALLBACK_PATH)) throw new Error(`Duo sent us to ${back.pathname}`);
  return back.searchParams;
}

/** A user Duo knows (one phone), enrolled with the Duo provider through core. */
export async function duoEnrolledUser(rig: Rig, emu: DuoEmulator): Promise<TwoFactorUser> {
  const user = duoUser(emu);
  const started = await rig.service.beginActivation(user, 'duo');
  if (started.prompt.kind !== 'redirect') throw new Error('expected a redirect prompt');
  const query = await followPrompt(emu, started.prompt.url);
  const done = await rig.service.completeActivation(
    started.activationId,
    user,
    Object.fromEntries(query),
  );
  if (done.ok !== true) throw new Error('the Duo enrollment did not complete');
  return user;
}

/** A user of the host whom Duo knows, with one phone, not enrolled here yet. */
export function duoUser(emu: DuoEmulator): TwoFactorUser {
  const user = testUser({ audience: 'client' });
  emu.users.create({ username: user.username, devices: [{ name: 'iPhone' }] });
  return user;
}

/** Answers every push the emulator is holding, as the user's phone would. */
export function answerPushes(emu: DuoEmulator, decision: 'approve' | 'deny'): number {
  const pending = emu.pushes.pending();
  for (const push of pending) emu.pushes.answer(push.txid, decision);
  return pending.length;
}

/** A user enrolled with Duo's Auth API through core: the confirming push approved (bounded). */
export async function legacyEnrolledUser(rig: Rig, emu: DuoEmulator): Promise<TwoFactorUser> {
  const user = duoUser(emu);
  const started = await rig.service.beginActivation(user, 'duo');
  for (let i = 0; i < 40; i++) {
    answerPushes(emu, 'approve');
    const done = await rig.service.completeActivation(started.activationId, user, { poll: true });
    if (done.ok === true) return user;
  }
  throw new Error('the Duo enrollment push was never answered');
}
