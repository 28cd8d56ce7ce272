// Small hardening rules found in review, each with the requirement it serves.
import { describe, expect, it } from 'vitest';
import { parseEnvelope } from '../src/legacy/auth-api-client.js';
import { templateFor, usernameProblem } from '../src/username.js';

describe('usernames sent to Duo (DU-03c)', () => {
  it.each([
    ['a bidi override', 'alice\u202e@example.com'],
    ['a zero-width space', 'ali\u200bce'],
    ['a BOM', '\ufeffalice'],
    ['a bidi isolate', 'alice\u2066x\u2069'],
    ['a decomposed accent (not NFC)', 'jose\u0301'],
  ])('refuses %s (names that look alike must be alike)', (_what, name) => {
    expect(usernameProblem(name)).not.toBeNull();
  });

  it('accepts ordinary and composed names', () => {
    expect(usernameProblem('alice@example.com:alice@example.com:WHMCS-1234')).toBeNull();
    expect(usernameProblem('jos\u00e9')).toBeNull();
  });

  it('looks templates up by own property only (ASVS 15.3.5)', () => {
    expect(templateFor({ '*': '{email}' }, 'constructor')).toBe('{email}');
    expect(templateFor({}, 'toString')).toBe('{username}');
    expect(templateFor({ admin: '{email}:{email}:{licenseKey}' }, 'admin')).toBe(
      '{email}:{email}:{licenseKey}',
    );
  });
});

describe('Auth API envelopes without JSON (DA-02, OUT-04)', () => {
  it('a 401 with an empty body stays a 401 (the clock-skew hint still applies), not "malformed"', () => {
    expect(parseEnvelope(401, '')).toEqual({
      ok: false,
      failure: { httpStatus: 401, code: undefined, message: '' },
    });
  });

  it("a proxy's HTML 429 stays a 429 (the rate-limit budget still applies)", () => {
    expect(parseEnvelope(429, '<html>Too Many Requests</html>')).toMatchObject({
      ok: false,
      failure: { httpStatus: 429 },
    });
  });

  it('a 200 that is not JSON is malformed and never a success', () => {
    expect(() => parseEnvelope(200, '<html>')).toThrow(/not JSON/);
  });
});
