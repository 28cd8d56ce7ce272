/**
 * The software YubiKey and the protocol primitives against published and recomputed vectors
 * (keys catalog §3.1–3.4: yubico-c test-vectors.txt, ykparse.1.txt, selftest.c; signatures
 * self-computed with yubico-c-client's public test key 1851).
 */
import { describe, expect, it } from 'vitest';
import { modhexDecode, modhexEncode, normaliseOtp, publicIdOf } from '../src/modhex.js';
import { canonicalString, hasValidSignature, sign } from '../src/signature.js';
import { CRC_RESIDUE, crc16, decryptBlock, parseToken } from '../src/token.js';
import { requestParams } from '../src/validation-client.js';
import { encodeOtp } from '../src/testing/software-yubikey.js';

const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const KEY_1851 = 'oBVbNt7IZehZGR99rvq8d6RZ1DM=';
const NONCE = '0123456789abcdefABCDEF';
const OTP_31 = 'dteffujehknhfjbrjnlnldnhcujvddbikngjrtgh';

describe('modhex (§3.3)', () => {
  it.each([
    ['test', 'ifhgieif'],
    ['foobar', 'hhhvhvhdhbid'],
  ])('YK-15: encodes %s as %s', (text, expected) => {
    expect(modhexEncode(new TextEncoder().encode(text))).toBe(expected);
  });

  it('YK-15: encodes an AES key and decodes a public id', () => {
    expect(modhexEncode(hex('ecde18dbe76fbd0c33330f1c354871db'))).toBe(
      'urtubjtnuihvntcreeeecvbregfjibtn',
    );
    expect(Buffer.from(modhexDecode('dteffuje')).toString('hex')).toBe('2d344e83');
    expect(() => modhexDecode('cbdef0ghijklnrtuv')).toThrow(TypeError);
  });

  it('YK-01: normalises a Dvorak OTP to modhex', () => {
    expect(normaliseOtp('jjjjjjjjnhe.ngcgjeiuujjjdtgihjuecyixinxunkhj')).toBe(
      'ccccccccljdeluiucdgffccchkugjcfditgbglbflvjc',
    );
  });
});

describe('CRC-16 and AES (§3.2)', () => {
  it.each([
    ['0001020304', 62919],
    ['fe', 4470],
    ['55aa00ff', 52149],
    ['010203040506307500093dfa60ea', 35339],
  ])('YK-15: crc16(%s) = %i', (input, expected) => {
    expect(crc16(hex(input))).toBe(expected);
  });

  it('YK-15: AES-128 decrypts the yubico-c block', () => {
    const out = decryptBlock(
      new TextEncoder().encode('abcdef0123456789'),
      new TextEncoder().encode('0123456789abcdef'),
    );
    expect(Buffer.from(out).toString('hex')).toBe('838a467f34639551755bd32a4a2f15e1');
  });
});

describe('Yubico OTP known answers (§3.1)', () => {
  const aes = hex('ecde18dbe76fbd0c33330f1c354871db');

  it('YK-15: decrypts test-vectors.txt into its fields, with the 0xf0b8 residue', () => {
    expect(publicIdOf(OTP_31)).toBe('dteffuje');
    const cipher = modhexDecode(OTP_31.slice(-32));
    expect(Buffer.from(cipher).toString('hex')).toBe('69b6481c8baba2b60e8f22179b58cd56');
    const plain = decryptBlock(aes, cipher);
    expect(Buffer.from(plain).toString('hex')).toBe('8792ebfe26cc130030c20011c89f23c8');
    expect(crc16(plain)).toBe(CRC_RESIDUE);
    expect(parseToken(plain)).toEqual({
      privateId: '8792ebfe26cc',
      counter: 19,
      timestamp: 49712,
      use: 17,
      random: 40904,
      crc: 0xc823,
    });
  });

  it('YK-15: decrypts the ykparse.1.txt OTP (use 16) and re-encodes both exactly', () => {
    const second = 'dteffujedcflcindvdbrblehecuitvjkjevvehjd';
    const fields = parseToken(decryptBlock(aes, modhexDecode(second.slice(-32))))!;
    expect(fields).toMatchObject({ privateId: '8792ebfe26cc', counter: 19, use: 16 });
    expect(fields.timestamp).toBe(49320);
    expect(fields.random).toBe(2228);
    expect(fields.crc).toBe(0x5b6f);
    const { crc: _crc, ...rest } = fields;
    expect(encodeOtp('dteffuje', 'ecde18dbe76fbd0c33330f1c354871db', rest)).toBe(second);
  });

  it('YK-15: one flipped ciphertext bit breaks the CRC', () => {
    const cipher = modhexDecode(OTP_31.slice(-32));
    cipher[3] = cipher[3]! ^ 0x01;
    expect(parseToken(decryptBlock(aes, cipher))).toBeNull();
  });
});

describe('selftest.c otp_testvectors (§3.2)', () => {
  const seq = '000102030405060708090a0b0c0d0e0f';
  it.each([
    [seq, '010203040506', 1, 0x010001, 1, 0, 'dvgtiblfkbgturecfllberrvkinnctnn'],
    [seq, '010203040506', 1, 0x010001, 2, 0, 'rnibcnfhdninbrdebccrndfhjgnhftee'],
    [seq, '010203040506', 0x0fff, 0x010001, 1, 0, 'iikkijbdknrrdhfdrjltvgrbkkjblcbh'],
    [
      '88'.repeat(16),
      '88'.repeat(6),
      0x8888,
      0x888888,
      0x88,
      0x8888,
      'dcihgvrhjeucvrinhdfddbjhfjftjdei',
    ],
    ['00'.repeat(16), '00'.repeat(6), 0, 0, 0, 0, 'kkkncjnvcnenkjvjgncjihljiibgbhbh'],
    [
      'c4422890653076cde73d449b191b416a',
      '33c69e7f249e',
      1,
      0x2413a7,
      0,
      0xc63c,
      'iucvrkjiegbhidrcicvlgrcgkgurhjnj',
    ],
  ])(
    'YK-15: key %s uid %s ctr %i makes its OTP',
    (key, uid, counter, timestamp, use, random, otp) => {
      expect(encodeOtp('', key, { privateId: uid, counter, timestamp, use, random })).toBe(otp);
    },
  );

  it('YK-07: the caps-lock bit stays in the token but is masked out of the counter', () => {
    const fields = parseToken(
      decryptBlock(hex('88'.repeat(16)), modhexDecode('dcihgvrhjeucvrinhdfddbjhfjftjdei')),
    )!;
    expect(fields.counter).toBe(0x8888);
    expect(fields.counter & 0x7fff).toBe(0x0888);
  });
});

describe('validation protocol signatures (§3.4)', () => {
  const response = new Map([
    ['nonce', NONCE],
    ['otp', OTP_31],
    ['sessioncounter', '19'],
    ['sessionuse', '17'],
    ['sl', '100'],
    ['status', 'OK'],
    ['t', '2026-01-01T00:00:00Z0123'],
    ['timestamp', '49712'],
  ]);

  it('YK-12: the request signature equals the vector for fixed inputs', () => {
    const params = requestParams('1851', KEY_1851, OTP_31, NONCE);
    expect(params.get('h')).toBe('Ay1ikOlo4X70Wp124f34vI5bb8Y=');
    expect(params.toString()).toContain('h=Ay1ikOlo4X70Wp124f34vI5bb8Y%3D');
    expect(params.get('timestamp')).toBe('1');
  });

  it('YK-03: the OK and REPLAYED_OTP responses verify; moving the status breaks them', () => {
    expect(sign(response, KEY_1851)).toBe('jq8kKSQP/6rCMzuONzb5Q3IanfU=');
    const replayed = new Map([...response, ['status', 'REPLAYED_OTP']]);
    expect(sign(replayed, KEY_1851)).toBe('Dv3eo7EoEzepvsrULt32mdf2ZP8=');
    const forged = new Map([...replayed, ['h', 'jq8kKSQP/6rCMzuONzb5Q3IanfU=']]);
    expect(hasValidSignature(forged, KEY_1851)).toBe(false);
    expect(
      hasValidSignature(new Map([...response, ['h', 'jq8kKSQP/6rCMzuONzb5Q3IanfU=']]), KEY_1851),
    ).toBe(true);
  });

  it('YK-03: an early error signed with the empty key is rejected under the client key', () => {
    const early = new Map([
      ['nonce', NONCE],
      ['otp', 'xyz'],
      ['status', 'BAD_OTP'],
      ['t', '2026-01-01T00:00:00Z0123'],
    ]);
    expect(sign(early, '')).toBe('N/Ug07y5YzVU2bQdbi0uKRc0Dic=');
    early.set('h', 'N/Ug07y5YzVU2bQdbi0uKRc0Dic=');
    expect(hasValidSignature(early, KEY_1851)).toBe(false);
    expect(hasValidSignature(new Map([...early].filter(([k]) => k !== 'h')), KEY_1851)).toBe(false);
  });

  it('YK-12: the canonical string sorts keys in byte order and leaves h out', () => {
    expect(canonicalString({ c: '3', h: 'x', a: '2', b: '1', B: '0' })).toBe('B=0&a=2&b=1&c=3');
  });
});
