/** Deployment settings: the RP ID and origins that phishing resistance rests on (WA-03). */
import { describe, expect, it } from 'vitest';
import { originProblem } from '../src/settings.js';
import { SETTINGS, harness } from './helpers.js';

describe('WebAuthn settings', () => {
  it('WA-03: an origin outside the RP ID, over http, or with a path fails configuration', () => {
    for (const origins of [
      ['https://example.net'],
      ['https://notexample.com'],
      ['http://login.example.com'],
      ['https://login.example.com/path'],
    ])
      expect(() => harness({ origins })).toThrow(/providers\.webauthn\.settings\.origins/);
    expect(() => harness({ origins: [...SETTINGS.origins, 'https://example.com'] })).not.toThrow();
  });

  it('WA-03: http is allowed only for http://localhost (a secure context in browsers)', () => {
    expect(originProblem('http://localhost:3000', 'localhost')).toBeNull();
    expect(originProblem('http://127.0.0.1:3000', '127.0.0.1')).toMatch(/https/);
  });

  it('WA-08: per-audience user verification takes only "required" or "preferred"', () => {
    expect(() => harness({ userVerificationByAudience: { admin: 'discouraged' } })).toThrow(
      /admin/,
    );
    expect(() => harness({ rpId: 'Example.com' })).toThrow(/rpId/);
  });
});
