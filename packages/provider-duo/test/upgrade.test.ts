// The upgrade path from the legacy Auth API settings to the Universal Prompt (Duo ended the
// iframe prompt on 2024-03-30): explain, validate, and check the new credentials live.
import { afterAll, describe, expect, it } from 'vitest';
import { planUniversalUpgrade } from '../src/index.js';
import { REDIRECT_URL, legacySettings, startEmulator } from './support/duo-test-kit.js';

const emu = await startEmulator();
afterAll(() => emu.stop());

describe('planUniversalUpgrade', () => {
  it('explains the move, carries the shared settings over and passes the health check with good credentials', async () => {
    const legacy = legacySettings(emu, {
      factor: 'push',
      failmode: { client: 'open' },
      usernameTemplate: { '*': '{email}' },
    });
    const plan = await planUniversalUpgrade(legacy, {
      clientId: emu.webSdkApp!.clientId,
      clientSecret: emu.webSdkApp!.clientSecret,
      redirectUrl: REDIRECT_URL,
    });
    expect(plan.ready).toBe(true);
    expect(plan.issues).toEqual([]);
    expect(plan.explanation.join(' ')).toMatch(/2024-03-30/);
    expect(plan.health).toEqual({ ok: true });
    expect(plan.settings).toMatchObject({
      version: 'universal',
      failmode: { client: 'open' },
      usernameTemplate: { '*': '{email}' },
    });
    expect(plan.settings).not.toHaveProperty('integrationKey');
    expect(plan.settings).not.toHaveProperty('factor');
    // The report for humans never shows the secret.
    expect(plan.proposed['clientSecret']).toBe('********');
    expect(JSON.stringify({ ...plan, settings: undefined })).not.toContain(
      emu.webSdkApp!.clientSecret,
    );
  });

  it('wrong credentials: not ready, the health check says Duo refused them (not an outage)', async () => {
    const plan = await planUniversalUpgrade(legacySettings(emu), {
      clientId: emu.webSdkApp!.clientId,
      clientSecret: 'w'.repeat(40),
      redirectUrl: REDIRECT_URL,
    });
    expect(plan.ready).toBe(false);
    expect(plan.health?.ok).toBe(false);
    expect(plan.explanation.join(' ')).toMatch(/refused the new credentials/);
    expect(plan.settings).toBeUndefined();
  });

  it('invalid new settings are reported with their paths before any network call', async () => {
    const before = emu.counters.count('/oauth/v1/health_check');
    const plan = await planUniversalUpgrade(legacySettings(emu), {
      clientId: 'short',
      clientSecret: 'also-short',
      redirectUrl: 'http://portal.example.com/cb',
    });
    expect(plan.ready).toBe(false);
    expect(plan.issues.map((i) => i.path)).toEqual(
      expect.arrayContaining([
        'providers.duo.settings.clientId',
        'providers.duo.settings.clientSecret',
        'providers.duo.settings.redirectUrl',
      ]),
    );
    expect(JSON.stringify(plan)).not.toContain('also-short');
    expect(emu.counters.count('/oauth/v1/health_check')).toBe(before);
  });
});
