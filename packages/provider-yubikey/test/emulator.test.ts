/**
 * The offline YubiCloud and the software YubiKey against yubikey-val's behaviour (YK-15): the
 * selftest sequence, empty-key signing of early errors, CRC and private id checks, the counter
 * wrap and a stuck counter. This runs before the provider tests lean on the emulator.
 */
import { describe, expect, it } from 'vitest';
import { hasValidSignature, sign } from '../src/signature.js';
import { OfflineYubiCloud, SoftwareYubikey } from '../src/testing/index.js';
import { modhexDecode, modhexEncode } from '../src/modhex.js';

const API_KEY = 'EHmo8FMxuhumBlTinC4uYL0Mgwg=';

function setup() {
  const key = new SoftwareYubikey();
  const cloud = new OfflineYubiCloud(() => Date.UTC(2026, 0, 1))
    .addClient('1', API_KEY)
    .addKey(key);
  return { key, cloud };
}

const ask = (cloud: OfflineYubiCloud, otp: string, nonce: string, id = '1') =>
  cloud.verify(new URLSearchParams({ id, otp, nonce, timestamp: '1' }));

describe('offline YubiCloud', () => {
  it('YK-15: the yubikey-val selftest sequence: OK, NO_SUCH_CLIENT, REPLAYED_REQUEST, REPLAYED_OTP', () => {
    const { key, cloud } = setup();
    const otp = key.press();
    const first = ask(cloud, otp, 'kakakakakakakakakakakaka');
    expect(first.get('status')).toBe('OK');
    expect(hasValidSignature(first, API_KEY)).toBe(true);
    expect(first.get('t')).toBe('2026-01-01T00:00:00Z0000');
    expect(ask(cloud, otp, 'kakakakakakakakakakakaka', '2').get('status')).toBe('NO_SUCH_CLIENT');
    expect(ask(cloud, otp, 'kakakakakakakakakakakaka').get('status')).toBe('REPLAYED_REQUEST');
    const replayed = ask(cloud, otp, 'bakabakabakabaka');
    expect(replayed.get('status')).toBe('REPLAYED_OTP');
    expect(hasValidSignature(replayed, API_KEY)).toBe(true);
  });

  it.each([
    ['a missing id', { otp: 'c'.repeat(44), nonce: 'a'.repeat(16) }, 'MISSING_PARAMETER'],
    ['id 0', { id: '0', otp: 'c'.repeat(44), nonce: 'a'.repeat(16) }, 'MISSING_PARAMETER'],
    ['a short OTP', { id: '1', otp: 'c'.repeat(31), nonce: 'a'.repeat(16) }, 'BAD_OTP'],
    ['a short nonce', { id: '1', otp: 'c'.repeat(44), nonce: 'a'.repeat(15) }, 'MISSING_PARAMETER'],
    [
      'an unknown client',
      { id: '77', otp: 'c'.repeat(44), nonce: 'a'.repeat(16) },
      'NO_SUCH_CLIENT',
    ],
  ])('YK-03: %s is answered signed with the empty key', (_name, params, status) => {
    const { cloud } = setup();
    const answer = cloud.verify(new URLSearchParams(params));
    expect(answer.get('status')).toBe(status);
    expect(answer.get('h')).toBe(sign(answer, ''));
    expect(hasValidSignature(answer, API_KEY)).toBe(false);
  });

  it('YK-12: a request signed with another key is BAD_SIGNATURE; an unsigned one is accepted', () => {
    const { key, cloud } = setup();
    const pairs = { id: '1', otp: key.press(), nonce: 'n'.repeat(20), timestamp: '1' };
    const forged = new URLSearchParams({ ...pairs, h: sign(pairs, 'b3RoZXIga2V5') });
    expect(cloud.verify(forged).get('status')).toBe('BAD_SIGNATURE');
    const signed = new URLSearchParams({ ...pairs, h: sign(pairs, API_KEY) });
    expect(cloud.verify(signed).get('status')).toBe('OK');
    expect(ask(cloud, key.press(), 'm'.repeat(20)).get('status')).toBe('OK');
  });

  it('YK-15: one flipped ciphertext bit, or a wrong private id, is BAD_OTP', () => {
    const { key, cloud } = setup();
    const otp = key.press();
    const bytes = modhexDecode(otp.slice(-32));
    bytes[5] = bytes[5]! ^ 0x10;
    const flipped = key.publicId + modhexEncode(bytes);
    expect(ask(cloud, flipped, 'a'.repeat(20)).get('status')).toBe('BAD_OTP');
    const wrongUid = new SoftwareYubikey({ publicId: key.publicId, aesKey: key.aesKey });
    expect(ask(cloud, wrongUid.press(), 'b'.repeat(20)).get('status')).toBe('BAD_OTP');
    expect(ask(cloud, otp, 'c'.repeat(20)).get('status')).toBe('OK');
  });

  it('YK-07: counters come back signed with timestamp=1, the caps-lock bit masked', () => {
    const { key, cloud } = setup();
    key.capsLock = true;
    const { counter, use } = key.counters;
    const answer = ask(cloud, key.press(), 'd'.repeat(20));
    expect(answer.get('status')).toBe('OK');
    expect(answer.get('sessioncounter')).toBe(String(counter));
    expect(answer.get('sessionuse')).toBe(String(use));
    key.capsLock = false;
    expect(ask(cloud, key.press(), 'e'.repeat(20)).get('status')).toBe('OK');
  });

  it('YK-07: an older OTP after a newer one is REPLAYED_OTP (the §3.1 order)', () => {
    const { key, cloud } = setup();
    const older = key.press();
    const newer = key.press();
    expect(ask(cloud, newer, 'f'.repeat(20)).get('status')).toBe('OK');
    expect(ask(cloud, older, 'g'.repeat(20)).get('status')).toBe('REPLAYED_OTP');
  });
});

describe('software YubiKey', () => {
  it('YK-15: the session counter wraps at 255 and bumps the usage counter', () => {
    const key = new SoftwareYubikey({ counter: 5 });
    for (let i = 0; i < 256; i++) key.press();
    expect(key.counters).toEqual({ counter: 6, use: 0 });
  });

  it('YK-15: a usage counter stuck at 0x7fff makes OTPs the server refuses as REPLAYED_OTP', () => {
    const key = new SoftwareYubikey({ counter: 0x7fff });
    const cloud = new OfflineYubiCloud().addClient('1', API_KEY).addKey(key);
    for (let i = 0; i < 255; i++) key.press();
    expect(ask(cloud, key.press(), 'h'.repeat(20)).get('status')).toBe('OK'); // (0x7fff, 255)
    expect(key.counters).toEqual({ counter: 0x7fff, use: 0 });
    expect(ask(cloud, key.press(), 'i'.repeat(20)).get('status')).toBe('REPLAYED_OTP');
  });

  it('YK-15: replug starts a new session: usage counter + 1, session counter 0', () => {
    const key = new SoftwareYubikey({ counter: 3 });
    key.press();
    key.replug();
    expect(key.counters).toEqual({ counter: 4, use: 0 });
  });
});
