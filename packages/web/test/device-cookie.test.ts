/**
 * The remembered-device cookie's attributes (SECURITY.md FL-16): always `HttpOnly`, `Path=/`,
 * `SameSite`, `Secure` and `__Host-`, whatever the Host header or a forwarded scheme says (a
 * TLS proxy that rewrites Host to loopback must not turn `Secure` off); only the `__Host-` name
 * is read.
 */
import { describe, expect, it } from 'vitest';
import { DeviceCookie } from '../src/index.js';

const TOKEN = 'A'.repeat(43);

function req(url: string, headers: Record<string, string> = {}): Request {
  return new Request(url, { headers });
}

describe('the device cookie', () => {
  it.each([
    ['http://localhost:3000/login', '127.0.0.1', {}],
    ['http://127.0.0.1/login', '127.0.0.1', {}],
    ['http://[::1]:8080/login', '::1', {}],
    ['http://app.localhost/login', '127.0.0.1', {}],
    ['https://localhost/login', '127.0.0.1', {}],
    ['http://example.com/login', '203.0.113.9', {}],
    ['http://192.168.1.20/login', '192.168.1.30', {}],
    // A proxy in front that says http, or a client that says anything, changes nothing.
    ['http://localhost/login', '203.0.113.9', { 'x-forwarded-proto': 'https' }],
    ['https://localhost/login', '10.0.0.1', { 'x-forwarded-proto': 'http' }],
    ['http://127.0.0.1:3000/login', '127.0.0.1', { 'x-forwarded-proto': 'http' }],
  ])('FL-16: %s from %s %j is Secure and __Host-', (url, peer, headers) => {
    const cookie = new DeviceCookie({});
    const request = req(url, headers);
    expect(cookie.secure(request, peer)).toBe(true);
    expect(cookie.set(request, peer, TOKEN, 86_400)).toBe(
      `__Host-factorkit_device=${TOKEN}; Max-Age=86400; Path=/; HttpOnly; Secure; SameSite=Strict`,
    );
    expect(cookie.clear(request, peer)).toBe(
      `__Host-factorkit_device=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Strict`,
    );
  });

  it('FL-16: reads only the __Host- name: an unprefixed cookie, which a sibling subdomain could plant, is not ours', () => {
    const cookie = new DeviceCookie({});
    const both = { cookie: `factorkit_device=planted; __Host-factorkit_device=${TOKEN}` };
    expect(cookie.read(req('https://example.com/login', both), '203.0.113.9')).toBe(TOKEN);
    expect(cookie.read(req('http://localhost/login', both), '127.0.0.1')).toBe(TOKEN);
    const onlyPlain = { cookie: 'factorkit_device=planted' };
    expect(cookie.read(req('https://example.com/login', onlyPlain), '203.0.113.9')).toBeUndefined();
    expect(cookie.read(req('http://localhost/login', onlyPlain), '127.0.0.1')).toBeUndefined();
    expect(cookie.read(req('https://example.com/login'), '203.0.113.9')).toBeUndefined();
  });

  it('FL-16: a configured name and SameSite=Lax; prefixes and odd names are refused', () => {
    const lax = new DeviceCookie({ cookieName: 'remember', sameSite: 'lax' });
    expect(lax.set(req('https://example.com/'), undefined, TOKEN, 10)).toBe(
      `__Host-remember=${TOKEN}; Max-Age=10; Path=/; HttpOnly; Secure; SameSite=Lax`,
    );
    for (const cookieName of ['', 'a b', 'a;b', '__Host-x', '__secure-x', 'x'.repeat(65)])
      expect(() => new DeviceCookie({ cookieName })).toThrow(/cookieName/);
    expect(() => new DeviceCookie({ sameSite: 'none' as unknown as 'lax' })).toThrow(/sameSite/);
  });
});
