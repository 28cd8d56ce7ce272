/**
 * The remembered-device cookie's attributes (SECURITY.md FL-16): `Secure` and `__Host-` unless
 * the request came over plain http to a loopback host, with the scheme taken from a trusted
 * proxy only; only the name this request would set is read.
 */
import { describe, expect, it } from 'vitest';
import { DeviceCookie, RequestInfoReader, isLoopbackHost } from '../src/index.js';

const TOKEN = 'A'.repeat(43);

function cookieFor(trusted: readonly string[] = ['10.0.0.0/8']): DeviceCookie {
  return new DeviceCookie({}, new RequestInfoReader(trusted));
}

function req(url: string, headers: Record<string, string> = {}): Request {
  return new Request(url, { headers });
}

describe('the device cookie', () => {
  it.each([
    ['http://localhost:3000/login', '127.0.0.1', {}, false],
    ['http://127.0.0.1/login', '127.0.0.1', {}, false],
    ['http://[::1]:8080/login', '::1', {}, false],
    ['http://app.localhost/login', '127.0.0.1', {}, false],
    ['https://localhost/login', '127.0.0.1', {}, true],
    ['http://example.com/login', '203.0.113.9', {}, true],
    ['http://192.168.1.20/login', '192.168.1.30', {}, true],
    ['http://unknown.invalid/login', '203.0.113.9', {}, true],
    // A client's own X-Forwarded-Proto changes nothing.
    ['http://localhost/login', '203.0.113.9', { 'x-forwarded-proto': 'https' }, false],
    // A trusted proxy's is believed, its own (last) value first.
    ['http://localhost/login', '10.0.0.1', { 'x-forwarded-proto': 'https' }, true],
    ['http://localhost/login', '10.0.0.1', { 'x-forwarded-proto': 'http, https' }, true],
    ['https://localhost/login', '10.0.0.1', { 'x-forwarded-proto': 'http' }, false],
    ['http://example.com/login', '10.0.0.1', { 'x-forwarded-proto': 'http' }, true],
  ])('FL-16: %s from %s %j is Secure: %s', (url, peer, headers, secure) => {
    const cookie = cookieFor();
    const request = req(url, headers);
    expect(cookie.secure(request, peer)).toBe(secure);
    const line = cookie.set(request, peer, TOKEN, 86_400);
    const name = secure ? '__Host-factorkit_device' : 'factorkit_device';
    expect(line).toBe(
      `${name}=${TOKEN}; Max-Age=86400; Path=/; HttpOnly${secure ? '; Secure' : ''}; SameSite=Strict`,
    );
    expect(cookie.clear(request, peer)).toBe(
      `${name}=; Max-Age=0; Path=/; HttpOnly${secure ? '; Secure' : ''}; SameSite=Strict`,
    );
  });

  it('FL-16: reads only the name the request would set: over TLS an unprefixed cookie is not ours', () => {
    const cookie = cookieFor();
    const both = { cookie: `factorkit_device=planted; __Host-factorkit_device=${TOKEN}` };
    expect(cookie.read(req('https://example.com/login', both), '203.0.113.9')).toBe(TOKEN);
    expect(cookie.read(req('http://localhost/login', both), '127.0.0.1')).toBe('planted');
    const onlyPlain = { cookie: 'factorkit_device=planted' };
    expect(cookie.read(req('https://example.com/login', onlyPlain), '203.0.113.9')).toBeUndefined();
    expect(cookie.read(req('https://example.com/login'), '203.0.113.9')).toBeUndefined();
  });

  it('FL-16: a configured name and SameSite=Lax; prefixes and odd names are refused', () => {
    const reader = new RequestInfoReader();
    const lax = new DeviceCookie({ cookieName: 'remember', sameSite: 'lax' }, reader);
    expect(lax.set(req('https://example.com/'), undefined, TOKEN, 10)).toBe(
      `__Host-remember=${TOKEN}; Max-Age=10; Path=/; HttpOnly; Secure; SameSite=Lax`,
    );
    for (const cookieName of ['', 'a b', 'a;b', '__Host-x', '__secure-x', 'x'.repeat(65)])
      expect(() => new DeviceCookie({ cookieName }, reader)).toThrow(/cookieName/);
    expect(() => new DeviceCookie({ sameSite: 'none' as unknown as 'lax' }, reader)).toThrow(
      /sameSite/,
    );
  });

  it('knows the loopback hosts a browser treats as secure over plain http', () => {
    for (const host of [
      'localhost',
      'LOCALHOST',
      'a.localhost',
      '127.0.0.1',
      '127.8.9.10',
      '[::1]',
    ])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['localhost.example.com', '128.0.0.1', '10.0.0.1', '[::2]', 'example.com'])
      expect(isLoopbackHost(host), host).toBe(false);
  });
});
