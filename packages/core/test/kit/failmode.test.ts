import { describe, expect, it } from 'vitest';
import { failmodeForAudience, failmodeProblem } from '../../src/index.js';

describe('failmode per audience (one rule for Duo and YubiKey)', () => {
  it("OUT-02: the audience's own entry wins, `*` covers the rest but never admin, else closed", () => {
    expect(failmodeForAudience({ client: 'open' }, 'client')).toBe('open');
    expect(failmodeForAudience({ '*': 'open' }, 'client')).toBe('open');
    expect(failmodeForAudience({ '*': 'open' }, 'admin')).toBe('closed');
    expect(failmodeForAudience({ '*': 'open', admin: 'open' }, 'admin')).toBe('open');
    expect(failmodeForAudience({}, 'client')).toBe('closed');
    // Inherited names are no entries: an audience called `constructor` is closed.
    expect(failmodeForAudience({}, 'constructor')).toBe('closed');
  });

  it('CF-01: a malformed map is a problem naming what is wrong', () => {
    expect(failmodeProblem({ client: 'open', '*': 'closed' })).toBeNull();
    expect(failmodeProblem([])).toMatch(/must be an object/);
    expect(failmodeProblem({ client: 'maybe' })).toBe("client must be 'closed' or 'open'");
    expect(failmodeProblem({ 'Bad Name': 'open' })).toMatch(/invalid audience name/);
  });
});
