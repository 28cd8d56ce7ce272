/**
 * Smoke test on what ships: plain Node (no vite transform) imports @factorkit/core through its
 * package exports, which point at the compiled dist/, and runs one enrollment and one login.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const coreDir = join(here, '..', '..', 'packages', 'core');

const script = `
import assert from 'node:assert/strict';
import * as core from '@factorkit/core';
import { createHarness, testUser, FakeClock } from '@factorkit/core/testing';

class Settings {}
core.Field({ label: 'Nothing' });
const provider = {
  id: 'smoke', displayName: 'Smoke', coreVersion: '^' + core.CORE_VERSION, configSchema: Settings,
  capabilities: { interactive: true, outOfBand: 'none', replayCounter: false, retryableChallenge: true },
  async beginActivation() { return { prompt: { kind: 'code-entry', digits: 6 }, pending: { code: '123456' } }; },
  async completeActivation(_c, _u, p, input) { return input === p.code ? { ok: true, enrollment: {} } : { ok: false, reason: 'INVALID_CODE' }; },
  async beginChallenge() { return { prompt: { kind: 'code-entry', digits: 6 }, pending: { code: '654321' } }; },
  async verify(_c, _u, _e, p, input) { return input === p.code ? { ok: true } : { ok: false, reason: 'INVALID_CODE' }; },
};
const h = createHarness({ providers: [provider], clock: new FakeClock() });
const user = testUser();
const a = await h.service.beginActivation(user, 'smoke');
const done = await h.service.completeActivation(a.activationId, user, '123456');
assert.equal(done.recoveryCodes.length, 10);
const ch = await h.service.beginChallenge(user);
await assert.rejects(h.service.completeChallenge(ch.challengeId, user, '000000'), (e) => e instanceof core.InvalidCodeError && e.code === 'INVALID_CODE');
const ok = await h.service.completeChallenge(ch.challengeId, user, '654321');
assert.equal(ok.ok, true);
console.log(JSON.stringify({ resolved: import.meta.resolve('@factorkit/core'), exports: Object.keys(core).length }));
`;

describe('built @factorkit/core (dist)', () => {
  it('has the files its exports map promises', () => {
    const pkg = JSON.parse(readFileSync(join(coreDir, 'package.json'), 'utf8')) as {
      exports: Record<string, { types: string; default: string }>;
    };
    for (const [sub, target] of Object.entries(pkg.exports)) {
      if (sub === './package.json') continue;
      expect(existsSync(join(coreDir, target.types)), `${sub} types`).toBe(true);
      expect(existsSync(join(coreDir, target.default)), `${sub} default`).toBe(true);
    }
  });

  it('runs an enrollment and a login under plain Node through the package exports', () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: join(here, '..'),
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.trim()) as { resolved: string; exports: number };
    expect(out.resolved).toMatch(/packages\/core\/dist\/index\.js$/);
    expect(out.exports).toBeGreaterThan(50);
  });
});
