import { describe, expect, it } from 'vitest';
import { RequestInfoReader } from '../src/index.js';

function req(headers: Record<string, string>): Request {
  return new Request('http://localhost/2fa/requirement', { headers });
}

describe('request info from a trusted-proxy list', () => {
  it('IN-05: an X-Forwarded-For from an untrusted peer is ignored: the ip is the peer', () => {
    const reader = new RequestInfoReader([]);
    const info = reader.read(req({ 'x-forwarded-for': '198.51.100.7' }), '203.0.113.9');
    expect(info.ip).toBe('203.0.113.9');
  });

  it('IN-05: a trusted proxy hands on the client address, up to the first untrusted hop', () => {
    const reader = new RequestInfoReader(['10.0.0.0/8']);
    const info = reader.read(
      req({ 'x-forwarded-for': '198.51.100.7, 192.0.2.1, 10.1.2.3' }),
      '10.0.0.1',
    );
    // 10.1.2.3 is trusted, 192.0.2.1 is not: the forged first entry is never reached.
    expect(info.ip).toBe('192.0.2.1');
  });

  it('keeps a trusted proxy request id and replaces anyone else one', () => {
    const trusted = new RequestInfoReader(['loopback']);
    expect(trusted.read(req({ 'x-request-id': 'edge-42' }), '127.0.0.1').requestId).toBe('edge-42');
    const fromClient = trusted.read(req({ 'x-request-id': 'edge-42' }), '203.0.113.9');
    expect(fromClient.requestId).not.toBe('edge-42');
    expect(fromClient.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const odd = trusted.read(req({ 'x-request-id': 'a forged/line' }), '127.0.0.1');
    expect(odd.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('passes the user agent on, cut to 512 characters', () => {
    const info = new RequestInfoReader().read(req({ 'user-agent': 'x'.repeat(600) }), '::1');
    expect(info.userAgent).toHaveLength(512);
  });

  it('refuses a malformed proxy list with a clear message', () => {
    expect(() => new RequestInfoReader(['not-an-ip'])).toThrow(/trustedProxies: .*Allowed:/);
  });
});
