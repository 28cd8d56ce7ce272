/** Nothing secret reaches a log (YK-12): not the API key, not an OTP, not a request signature. */
import { Logger } from '@factorkit/core';
import { createHarness, testUser } from '@factorkit/core/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Fault } from '../src/testing/index.js';
import { YubikeyProvider } from '../src/yubikey-provider.js';
import { API_KEY, outcomeOf, startRig, type Rig } from './helpers.js';

class RecordingLogger extends Logger {
  readonly lines: string[] = [];
  private record(level: string, message: string, fields?: Record<string, unknown>) {
    this.lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  }
  debug(m: string, f?: Record<string, unknown>): void {
    this.record('debug', m, f);
  }
  info(m: string, f?: Record<string, unknown>): void {
    this.record('info', m, f);
  }
  warn(m: string, f?: Record<string, unknown>): void {
    this.record('warn', m, f);
  }
  error(m: string, f?: Record<string, unknown>): void {
    this.record('error', m, f);
  }
}

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => rig.cloud.close());

it('YK-12: forged, failing and replayed answers log no API key, OTP or signature', async () => {
  const logger = new RecordingLogger();
  const h = createHarness({
    providers: [YubikeyProvider],
    settings: { yubikey: rig.settings },
    logger,
  });
  const key = rig.newKey();
  const user = testUser();
  const a = await h.service.beginActivation(user, 'yubikey');
  const otps = [key.press()];
  await h.service.completeActivation(a.activationId, user, otps[0]);
  const faults: (Fault | null)[] = [
    'wrong-signature',
    'wrong-nonce',
    'down',
    { status: 'NO_SUCH_CLIENT' },
    { status: 'BACKEND_ERROR' },
    null,
  ];
  for (const fault of faults) {
    rig.cloud.fault = fault;
    const otp = key.press();
    otps.push(otp);
    const ch = await h.service.beginChallenge(user);
    await outcomeOf(h.service.completeChallenge(ch.challengeId, user, otp));
  }
  rig.cloud.fault = null;
  const ch = await h.service.beginChallenge(user);
  expect(await outcomeOf(h.service.completeChallenge(ch.challengeId, user, otps[0]))).toBe(
    'CODE_ALREADY_USED',
  );
  const log = logger.lines.join('\n');
  expect(logger.lines.length).toBeGreaterThan(5);
  expect(log).not.toContain(API_KEY);
  for (const otp of otps) {
    expect(log).not.toContain(otp);
    expect(log).not.toContain(otp.slice(-32));
  }
  expect(log).not.toMatch(/[?&]h=|nonce=/);
});
