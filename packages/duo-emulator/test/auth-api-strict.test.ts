// Strict where Duo is strict (duo-protocol.md B.2): the date must be RFC 2822, and a v5
// signature covers the hash of the body actually sent. Both are refused with Duo's 401
// envelope (DA-01: a signature verifies only the request it was made for; DA-02: a date problem
// is a 401, which the provider treats as a configuration fault).
import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRfc2822Date } from '../src/authapi/signature.js';
import { startDuoEmulator, type DuoEmulator } from '../src/index.js';
import { signerCanon, TestAuthApiClient } from './support/auth-api-client.js';
import { httpsRequest } from './support/https-client.js';

let emu: DuoEmulator;
let api: TestAuthApiClient;
const sha512 = (t: string): string => createHash('sha512').update(t).digest('hex');

beforeAll(async () => {
  emu = await startDuoEmulator({ users: [{ username: 'alice', devices: [{}] }] });
  api = new TestAuthApiClient({
    apiHost: emu.apiHost,
    ca: emu.caPem,
    ikey: emu.authApiApp!.ikey,
    skey: emu.authApiApp!.skey,
  });
});
afterAll(async () => emu.stop());

const INVALID_SIGNATURE = {
  stat: 'FAIL',
  code: 40103,
  message: 'Invalid signature in request credentials',
};

describe('the Date header must be RFC 2822 (DA-02)', () => {
  it('the RFC 2822 forms Duo clients send are accepted (Node GMT, Python -0000, duo_unix +0000)', async () => {
    const now = new Date();
    const gmt = now.toUTCString();
    for (const date of [gmt, gmt.replace('GMT', '-0000'), gmt.replace('GMT', '+0000')]) {
      const res = await api.call('GET', '/auth/v2/check', {}, { date });
      expect(res.status, date).toBe(200);
      const x = await api.call('GET', '/auth/v2/check', {}, { date, xDuoDate: true });
      expect(x.status, date).toBe(200);
    }
  });

  it('an ISO 8601 date, correctly signed and current, is refused with 401 40103', async () => {
    for (const date of [new Date().toISOString(), new Date().toISOString().replace('T', ' ')]) {
      for (const xDuoDate of [false, true]) {
        const res = await api.call('GET', '/auth/v2/check', {}, { date, xDuoDate });
        expect(res.status, date).toBe(401);
        expect(res.json()).toEqual(INVALID_SIGNATURE);
      }
      const post = await api.call('POST', '/auth/v2/preauth', { username: 'alice' }, { date });
      expect(post.json()).toEqual(INVALID_SIGNATURE);
    }
  });

  it('parses only RFC 2822 dates', () => {
    expect(parseRfc2822Date('Tue, 21 Aug 2012 17:29:18 -0000')).toBe(
      Date.UTC(2012, 7, 21, 17, 29, 18),
    );
    expect(parseRfc2822Date('21 Aug 2012 19:29:18 +0200')).toBe(Date.UTC(2012, 7, 21, 17, 29, 18));
    for (const bad of [
      '2012-08-21T17:29:18Z',
      '2012-08-21',
      '1345570158',
      'Tue, 21 Aug 2012 17:29:18',
      'Tue, 21 August 2012 17:29:18 GMT',
      'Tue, 21 Aug 2012 17:29:18 GMT extra',
      '',
    ])
      expect(parseRfc2822Date(bad), bad).toBeUndefined();
  });
});

describe('a v5 signature covers the real body hash (DA-01)', () => {
  const send = (body: string, contentType: string, bodyHash: string, canon: string) => {
    const date = new Date().toUTCString();
    const canonical = [
      date,
      'POST',
      '127.0.0.1',
      '/auth/v2/preauth',
      canon,
      bodyHash,
      sha512(''),
    ].join('\n');
    const sig = createHmac('sha512', emu.authApiApp!.skey).update(canonical).digest('hex');
    return httpsRequest(`https://${emu.apiHost}/auth/v2/preauth`, {
      ca: emu.caPem,
      method: 'POST',
      headers: {
        date,
        'content-type': contentType,
        authorization: 'Basic ' + Buffer.from(`${emu.authApiApp!.ikey}:${sig}`).toString('base64'),
      },
      body,
    });
  };

  it('signed over the empty-body hash but sent with a form body: 401 40103', async () => {
    const params = { username: 'alice' };
    const res = await send(
      signerCanon(params),
      'application/x-www-form-urlencoded',
      sha512(''),
      signerCanon(params),
    );
    expect(res.status).toBe(401);
    expect(res.json()).toEqual(INVALID_SIGNATURE);
  });

  it('signed over the empty-body hash but sent with a JSON body: 401 40103', async () => {
    const res = await send('{"username":"alice"}', 'application/json', sha512(''), '');
    expect(res.status).toBe(401);
    expect(res.json()).toEqual(INVALID_SIGNATURE);
  });

  it('signed over the empty-body hash but sent with a multipart body: 401 40103', async () => {
    const body = '--b\r\nContent-Disposition: form-data; name="username"\r\n\r\nalice\r\n--b--\r\n';
    const res = await send(body, 'multipart/form-data; boundary=b', sha512(''), 'username=alice');
    expect(res.status).toBe(401);
    expect(res.json()).toEqual(INVALID_SIGNATURE);
  });

  it('the same request signed over the hash of its JSON body is accepted (control)', async () => {
    const body = '{"username":"alice"}';
    const res = await send(body, 'application/json', sha512(body), '');
    expect(res.status).toBe(200);
    expect(res.json().response.result).toBe('auth');
  });
});
