// Duo Auth API signature verifier against the reference vectors (duo-protocol.md §B.3,
// DA-01), plus the attacks it must reject.
import { describe, expect, it } from 'vitest';
import {
  canonParams,
  canonicalV2,
  canonXDuoHeaders,
  verifyAuthApiSignature,
  type SignedRequest,
} from '../src/index.js';
import { encodeRfc3986, signRequest } from './support/auth-api-client.js';

const pairs = (o: Record<string, string>): Array<[string, string]> => Object.entries(o);
const NODE_DATE = 'Tue, 21 Aug 2012 17:29:18 -0000';
const V2_EXPECTED =
  'Basic dGVzdF9pa2V5OjA0MmEzMGM2ODJiZDgzNmZjNWJhNDY3ODkxYTk1NmVhYTEwMDkxY2EwZjczYTdmYjM5NmFlZmQ1NmEzNTI5ZTU2OTMyZGVhNDI3YTY3MjEzYWY2NjRiYTY4NDE2ODlmZjIzMzZiN2EzNzM3NjZlYTVhYjdhYjlmZTI2MzgyMjZi';
const V5_EXPECTED =
  'Basic dGVzdF9pa2V5OjdkMDI0MDlhMTUyNzY0ODQzY2NjZDgyODRkYTE1M2IzZmI0NDZiYWFkNWY5OTg4ODYzMjVlMjRiYzljZDRhMjQ0ZGU4NWFkNGJmYTdlYTI4NWQ2ODIwOWYxNjA4MzU2NzNkOGI0ZjFlMWIyM2Q5Y2Q1MjFkMjZiZmU3ZjM2NmE0';

function nodeVectorRequest(
  authorization: string,
  over: Partial<SignedRequest> = {},
): SignedRequest {
  return {
    method: 'POST',
    host: 'test.duosecurity.com',
    path: '/test/v1',
    params: pairs({ realname: 'First Last', username: 'root' }),
    jsonBody: '',
    headers: { authorization, date: NODE_DATE },
    ...over,
  };
}

const verifyAt = (req: SignedRequest, skey = 'test_skey', nowMs = Date.parse(NODE_DATE)) =>
  verifyAuthApiSignature(req, { lookupSkey: (k) => (k === 'test_ikey' ? skey : undefined), nowMs });

describe('canon_params vectors (DA-01, duo_api_nodejs tests/duo_sig.js)', () => {
  it.each([
    [{}, ''],
    [{ realname: 'First Last' }, 'realname=First%20Last'],
    [{ realname: 'First Last', username: 'root' }, 'realname=First%20Last&username=root'],
    [{ foo_bar: '2', foo: '1' }, 'foo=1&foo_bar=2'],
    [
      { ip_whitelist_enroll_policy: '2', ip_whitelist: '1' },
      'ip_whitelist=1&ip_whitelist_enroll_policy=2',
    ],
  ])('%j -> %s', (input, expected) => {
    expect(canonParams(pairs(input))).toBe(expected);
    expect(canonParams(pairs(input), 'codeunit')).toBe(expected);
  });

  it('printable ASCII', () => {
    const input = {
      digits: '0123456789',
      letters: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ',
      punctuation: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
      whitespace: '\t\n\x0b\x0c\r ',
    };
    expect(canonParams(pairs(input))).toBe(
      'digits=0123456789&letters=abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ&punctuation=%21%22%23%24%25%26%27%28%29%2A%2B%2C-.%2F%3A%3B%3C%3D%3E%3F%40%5B%5C%5D%5E_%60%7B%7C%7D~&whitespace=%09%0A%0B%0C%0D%20',
    );
  });

  it('unicode values', () => {
    const input = {
      bar: '\u2815\uaaa3\u37cf\u4bb7\u36e9\ucc05\u668e\u8162\uc2bd\ua1f1',
      baz: '\u0df3\u84bd\u5669\u9985\ub8a4\uac3a\u7be7\u6f69\u934a\ub91c',
      foo: '\ud4ce\ud6d6\u7938\u50c0\u8a20\u8f15\ufd0b\u8024\u5cb3\uc655',
      qux: '\u8b97\uc846-\u828e\u831a\uccca\ua2d4\u8c3e\ub8b2\u99be',
    };
    expect(canonParams(pairs(input))).toBe(
      'bar=%E2%A0%95%EA%AA%A3%E3%9F%8F%E4%AE%B7%E3%9B%A9%EC%B0%85%E6%9A%8E%E8%85%A2%EC%8A%BD%EA%87%B1&baz=%E0%B7%B3%E8%92%BD%E5%99%A9%E9%A6%85%EB%A2%A4%EA%B0%BA%E7%AF%A7%E6%BD%A9%E9%8D%8A%EB%A4%9C&foo=%ED%93%8E%ED%9B%96%E7%A4%B8%E5%83%80%E8%A8%A0%E8%BC%95%EF%B4%8B%E8%80%A4%E5%B2%B3%EC%99%95&qux=%E8%AE%97%EC%A1%86-%E8%8A%8E%E8%8C%9A%EC%B3%8A%EA%8B%94%E8%B0%BE%EB%A2%B2%E9%A6%BE',
    );
  });
});

describe('Python canonicalize v2 vector (duo_client_python tests/test_client.py)', () => {
  const params = pairs({
    '\u469a\u287b\u35d0\u8ef3\u6727\u502a\u0810\ud091\xc8\uc170':
      '\u0f45\u1a76\u341a\u654c\uc23f\u9b09\uabe2\u8343\u1b27\u60d0',
    '\u7449\u7e4b\uccfb\u59ff\ufe5f\u83b7\uadcc\u900c\ucfd1\u7813':
      '\u8db7\u5022\u92d3\u42ef\u207d\u8730\uacfe\u5617\u0946\u4e30',
    '\u7470\u9314\u901c\u9eae\u40d8\u4201\u82d8\u8c70\u1d31\ua042':
      '\u17d9\u0ba8\u9358\uaadf\ua42a\u48be\ufb96\u6fe9\ub7ff\u32f3',
    '\uc2c5\u2c1d\u2620\u3617\u96b3F\u8605\u20e8\uac21\u5934':
      '\ufba9\u41aa\ubd83\u840b\u2615\u3e6e\u652d\ua8b5\ud56bU',
  });
  const date = 'Fri, 07 Dec 2012 17:18:00 -0000';
  const expected =
    'Fri, 07 Dec 2012 17:18:00 -0000\nPOST\nfoo.bar52.com\n/Foo/BaR2/qux\n%E4%9A%9A%E2%A1%BB%E3%97%90%E8%BB%B3%E6%9C%A7%E5%80%AA%E0%A0%90%ED%82%91%C3%88%EC%85%B0=%E0%BD%85%E1%A9%B6%E3%90%9A%E6%95%8C%EC%88%BF%E9%AC%89%EA%AF%A2%E8%8D%83%E1%AC%A7%E6%83%90&%E7%91%89%E7%B9%8B%EC%B3%BB%E5%A7%BF%EF%B9%9F%E8%8E%B7%EA%B7%8C%E9%80%8C%EC%BF%91%E7%A0%93=%E8%B6%B7%E5%80%A2%E9%8B%93%E4%8B%AF%E2%81%BD%E8%9C%B0%EA%B3%BE%E5%98%97%E0%A5%86%E4%B8%B0&%E7%91%B0%E9%8C%94%E9%80%9C%E9%BA%AE%E4%83%98%E4%88%81%E8%8B%98%E8%B1%B0%E1%B4%B1%EA%81%82=%E1%9F%99%E0%AE%A8%E9%8D%98%EA%AB%9F%EA%90%AA%E4%A2%BE%EF%AE%96%E6%BF%A9%EB%9F%BF%E3%8B%B3&%EC%8B%85%E2%B0%9D%E2%98%A0%E3%98%97%E9%9A%B3F%E8%98%85%E2%83%A8%EA%B0%A1%E5%A4%B4=%EF%AE%A9%E4%86%AA%EB%B6%83%E8%90%8B%E2%98%95%E3%B9%AE%E6%94%AD%EA%A2%B5%ED%95%ABU';

  it('canonical string matches byte for byte (mixed-case host and method normalised)', () => {
    expect(
      canonicalV2(
        { date, method: 'PoSt', host: 'foO.BAr52.cOm', path: '/Foo/BaR2/qux' },
        canonParams(params),
      ),
    ).toBe(expected);
  });

  const pyReq = (hex: string): SignedRequest => ({
    method: 'PoSt',
    host: 'foO.BAr52.cOm',
    path: '/Foo/BaR2/qux',
    params,
    jsonBody: '',
    headers: { authorization: 'Basic ' + Buffer.from(`test_ikey:${hex}`).toString('base64'), date },
  });
  const skey = 'gtdfxv9YgVBYcF6dl2Eq17KUQJN2PLM2ODVTkvoT';

  it('accepts the HMAC-SHA512 vector', () => {
    const r = verifyAt(
      pyReq(
        '0508065035a03b2a1de2f453e629e791d180329e157f65df6b3e0f08299d4321e1c5c7a7c7ee6b9e5fc80d1fb6fbf3ad5eb7c44dd3b3985a02c37aca53ec3698',
      ),
      skey,
      Date.parse(date),
    );
    expect(r).toMatchObject({ ok: true, version: 2, hash: 'sha512' });
  });

  it('accepts the HMAC-SHA1 vector (v2 only)', () => {
    const r = verifyAt(pyReq('f01811cbbf9561623ab45b893096267fd46a5178'), skey, Date.parse(date));
    expect(r).toMatchObject({ ok: true, version: 2, hash: 'sha1' });
  });
});

describe('v5 x-duo header canonicalisation vectors', () => {
  it('one header', () => {
    expect(canonXDuoHeaders({ 'X-Duo-Header-1': 'header_value_1' })).toBe(
      '630b4bfe7e9abd03da2eee8f0a5d4e60a254ec880a839bcc2223bb5b9443e8ef24d58f0254f1f5934bf8c017ebd0fd5b1acf86766bdbe74185e712a4092df3ed',
    );
  });
  it('two headers, lower-cased then sorted', () => {
    expect(canonXDuoHeaders({ 'x-duo-A': 'header_value_1', 'X-Duo-B': 'header_value_2' })).toBe(
      '60be11a30e0756f2ee2afdce1db849b987dcf86c1133394bd7bbbc9877920330c4d78aceacbb377ab8cbd9a8efe6a410fed4047376635ac71226ab46ca10d2b1',
    );
  });
  it('none: sha512 of the empty string', () => {
    expect(canonXDuoHeaders({})).toBe(
      'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e',
    );
  });
});

describe('Node signature vectors accepted, attacks rejected (DA-01, ASVS 6.5.8 for the Date window)', () => {
  it('accepts the v2 vector', () => {
    expect(verifyAt(nodeVectorRequest(V2_EXPECTED))).toMatchObject({
      ok: true,
      ikey: 'test_ikey',
      version: 2,
    });
  });

  it('accepts the v5 vector (JSON body, empty params)', () => {
    const req = nodeVectorRequest(V5_EXPECTED, {
      params: [],
      jsonBody: '{"realname":"First Last","username":"root"}',
    });
    expect(verifyAt(req)).toMatchObject({ ok: true, version: 5 });
  });

  it('the test-only signer reproduces both vectors (signer and verifier agree independently)', () => {
    const base = {
      ikey: 'test_ikey',
      skey: 'test_skey',
      method: 'POST' as const,
      host: 'test.duosecurity.com',
      path: '/test/v1',
      date: NODE_DATE,
    };
    expect(
      signRequest({ ...base, params: { realname: 'First Last', username: 'root' } }).authorization,
    ).toBe(V2_EXPECTED);
    expect(
      signRequest({ ...base, params: { realname: 'First Last', username: 'root' }, version: 5 })
        .authorization,
    ).toBe(V5_EXPECTED);
    expect(encodeRfc3986("!'()* ~")).toBe('%21%27%28%29%2A%20~');
  });

  it('rejects every single-bit change of the signature', () => {
    const hex = Buffer.from(V2_EXPECTED.slice(6), 'base64').toString().split(':')[1]!;
    for (let i = 0; i < hex.length; i += 7) {
      const flipped = hex.slice(0, i) + (parseInt(hex[i]!, 16) ^ 1).toString(16) + hex.slice(i + 1);
      const auth = 'Basic ' + Buffer.from(`test_ikey:${flipped}`).toString('base64');
      expect(verifyAt(nodeVectorRequest(auth))).toEqual({
        ok: false,
        code: 40103,
        reason: 'bad_signature',
      });
    }
  });

  it('rejects a changed parameter, path, method or host', () => {
    const bad = [
      { params: pairs({ realname: 'First Last', username: 'admin' }) },
      { path: '/test/v2' },
      { method: 'GET' },
      { host: 'evil.duosecurity.com' },
    ];
    for (const over of bad)
      expect(verifyAt(nodeVectorRequest(V2_EXPECTED, over))).toMatchObject({
        ok: false,
        code: 40103,
      });
  });

  it('rejects the right signature under the wrong secret key', () => {
    expect(verifyAt(nodeVectorRequest(V2_EXPECTED), 'other_skey')).toMatchObject({
      ok: false,
      code: 40103,
    });
  });

  it('rejects a date outside the 300 s window, both directions, and accepts inside it', () => {
    const t = Date.parse(NODE_DATE);
    expect(verifyAt(nodeVectorRequest(V2_EXPECTED), 'test_skey', t + 301_000)).toMatchObject({
      ok: false,
      reason: 'stale_date',
    });
    expect(verifyAt(nodeVectorRequest(V2_EXPECTED), 'test_skey', t - 301_000)).toMatchObject({
      ok: false,
      reason: 'stale_date',
    });
    expect(verifyAt(nodeVectorRequest(V2_EXPECTED), 'test_skey', t + 299_000)).toMatchObject({
      ok: true,
    });
  });

  it('missing credentials -> 40101, unknown integration key -> 40102, SHA-1 on v5 refused', () => {
    expect(
      verifyAt(nodeVectorRequest(V2_EXPECTED, { headers: { date: NODE_DATE } })),
    ).toMatchObject({ code: 40101 });
    expect(
      verifyAt(nodeVectorRequest(V2_EXPECTED, { headers: { authorization: V2_EXPECTED } })),
    ).toMatchObject({ code: 40101 });
    const other = 'Basic ' + Buffer.from('nobody:' + '0'.repeat(128)).toString('base64');
    expect(verifyAt(nodeVectorRequest(other))).toMatchObject({ code: 40102 });
  });
});
