// What the authorize endpoint answers when it does not issue a code (duo-protocol.md §A.4.2,
// §A.4.3): a usable request that ends in a refusal goes back to the application as
// `?error=access_denied&error_description=…&state=…` and nothing else (RFC 6749 §4.1.2.1), with
// Duo's own wording for the outcome; an unusable one gets an error page and no redirect. The
// provider reads exactly these parameters (DU-07a).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENROLL_REQUIRED, LOGIN_DENIED } from '../src/oidc/messages.js';
import { startDuoEmulator, type DuoEmulator } from '../src/index.js';
import { authorizeRaw, requestJwt } from './support/oidc-helpers.js';

let emu: DuoEmulator;

beforeAll(async () => {
  emu = await startDuoEmulator({
    faults: { promptAction: 'approve' },
    users: [{ username: 'alice', devices: [{}], promptAction: 'deny' }, { username: 'carol' }],
  });
});
afterAll(async () => emu.stop());

async function refusal(name: string, state: string) {
  const res = await authorizeRaw(emu, await requestJwt(emu, { duo_uname: name, state }));
  expect(res.status).toBe(302);
  const loc = new URL(String(res.headers['location']));
  expect(loc.origin + loc.pathname).toBe('https://app.example.test/cb');
  return Object.fromEntries(loc.searchParams);
}

describe('authorize refusals (DU-07a)', () => {
  it('a denied login: access_denied, "Login request denied.", the state, and no code', async () => {
    const state = 's'.repeat(36);
    expect(await refusal('alice', state)).toEqual({
      error: 'access_denied',
      error_description: LOGIN_DENIED,
      state,
    });
    expect(LOGIN_DENIED).toBe('Login request denied.');
  });

  it("an unenrolled user in scripted mode: Duo's enrolment text (no final period, as preauth says it)", async () => {
    const state = 'e'.repeat(40);
    expect(await refusal('carol', state)).toEqual({
      error: 'access_denied',
      error_description: ENROLL_REQUIRED,
      state,
    });
    expect(ENROLL_REQUIRED).toBe('Enroll an authentication device to proceed');
  });

  it('an unusable request (wrong secret) gets an HTML error page, never a redirect', async () => {
    const res = await authorizeRaw(emu, await requestJwt(emu, {}, 'q'.repeat(40)));
    expect(res.status).toBe(400);
    expect(res.headers['location']).toBeUndefined();
    expect(String(res.headers['content-type'])).toMatch(/^text\/html/);
  });
});
