// Hostile or malformed answers from "Duo" and hostile user records never crash, never allow and
// never reach a log unfiltered (DA-04, DU-07, DU-03c), plus Retry-After parsing (OUT-04).
import { describe, expect, it } from 'vitest';
import type { TwoFactorUser } from '@factorkit/core';
import {
  DuoCallError,
  parseCallback,
  parseEnvelope,
  renderUsername,
  retryAfterMs,
  safeText,
} from '../src/index.js';

const kindOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e instanceof DuoCallError ? e.kind : 'other';
  }
  return 'none';
};

describe('Auth API envelope parsing (DA-04)', () => {
  it('stat OK with a response is the only success', () => {
    expect(parseEnvelope(200, '{"stat":"OK","response":{"result":"auth"}}')).toEqual({
      ok: true,
      response: { result: 'auth' },
    });
  });

  it.each([
    ['bad stat', 200, '{"stat":"MAYBE","response":{"result":"allow"}}', 'malformed'],
    ['missing response', 200, '{"stat":"OK"}', 'malformed'],
    ['null response', 200, '{"stat":"OK","response":null}', 'malformed'],
    ['truncated JSON', 200, '{"stat":"OK","response":{"result":"al', 'malformed'],
    ['HTML', 200, '<html>502</html>', 'malformed'],
    ['a JSON array', 200, '[{"stat":"OK"}]', 'malformed'],
    ['empty body', 200, '', 'malformed'],
    ['HTTP 503 whatever the body', 503, '{"stat":"OK","response":{"result":"allow"}}', 'outage'],
    ['a 5xxxx Duo code', 200, '{"stat":"FAIL","code":50001,"message":"x"}', 'outage'],
  ])('DA-04 %s: never a success (%s)', (_n, status, body, kind) => {
    expect(kindOf(() => parseEnvelope(status, body))).toBe(kind);
  });

  it('DA-04 FAIL messages with ANSI/OSC escape sequences and HTML are neutralised', () => {
    const r = parseEnvelope(
      400,
      JSON.stringify({
        stat: 'FAIL',
        code: 40002,
        message: '\u001b[2J\u001b]0;pwned\u0007Invalid',
        message_detail: '<img src=x onerror=alert(1)>',
      }),
    );
    expect(r.ok).toBe(false);
    const msg = (r as { failure: { message: string } }).failure.message;
    expect([...msg].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)).toBe(false);
    expect(msg).not.toContain('<img');
    expect(msg).toContain('Invalid');
    expect(msg).toContain('&lt;img');
  });

  it('safeText caps length and strips C1 controls and line separators', () => {
    expect(safeText('a'.repeat(5000)).length).toBeLessThanOrEqual(201);
    expect(safeText('x\u009b31my\u2028z')).toBe('xy z');
    expect(safeText(42)).toBe('');
  });
});

describe('Retry-After (OUT-04)', () => {
  it('parses delta seconds and HTTP-dates; ignores junk', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs(new Date(now + 5000).toUTCString(), now)).toBe(5000);
    expect(retryAfterMs(new Date(now - 5000).toUTCString(), now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });
});

describe('Universal callback input (DU-01, DU-07)', () => {
  it('takes duo_code or code with state; anything else is malformed', () => {
    expect(parseCallback({ duo_code: 'abc', state: 's' })).toEqual({ state: 's', code: 'abc' });
    expect(parseCallback({ code: 'abc', state: 's' })).toEqual({ state: 's', code: 'abc' });
    expect(parseCallback({ error: 'access_denied', state: 's' })).toMatchObject({
      error: 'access_denied',
    });
    for (const bad of [
      null,
      'x',
      [],
      {},
      { duo_code: 'abc' },
      { state: 's' },
      { state: 's', duo_code: 'a b' },
      { state: 'x'.repeat(5000), duo_code: 'a' },
      { state: { $ne: '' }, duo_code: 'a' },
    ])
      expect(parseCallback(bad)).toBeUndefined();
  });
});

describe('Duo username from the user record (DU-03c)', () => {
  const user: TwoFactorUser = {
    id: 'u1',
    audience: 'admin',
    username: 'ops',
    email: 'ops@example.com',
    attributes: { team: 'red' },
  };
  it('renders placeholders from the user, its attributes and the deployment constants', () => {
    expect(renderUsername('{email}:{email}:{licenseKey}', user, { licenseKey: 'L-1' })).toBe(
      'ops@example.com:ops@example.com:L-1',
    );
    expect(renderUsername('{username}-{team}-{id}', user, {})).toBe('ops-red-u1');
    expect(renderUsername('{email}', { ...user, email: 'Ops@Example.com' }, {}, true)).toBe(
      'ops@example.com',
    );
  });
  it('refuses surrounding whitespace, control characters, "|" and missing values', () => {
    for (const bad of [' ops', 'ops ', 'o\u0000ps', 'o\u001bps', 'a|b', 'x\u2028y'])
      expect(() => renderUsername('{username}', { ...user, username: bad }, {})).toThrow(
        /not sent to Duo/,
      );
    expect(() => renderUsername('{licenseKey}', user, {})).toThrow(/licenseKey/);
    // A constant cannot shadow the user's own fields.
    expect(renderUsername('{email}', user, { email: 'evil@example.com' })).toBe('ops@example.com');
  });
});
