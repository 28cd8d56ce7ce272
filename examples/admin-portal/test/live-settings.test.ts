/**
 * PT-05: the stored deployment document. A save from a form drawn from an older version is
 * refused and changes nothing (another admin's save stands); the stored row is sealed, holding
 * no secret in clear; what is checked is what is stored.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSettings } from '../src/settings.js';
import { startPortal, type RunningPortal } from '../src/start.js';
import type { RawConfig } from '../src/twofactor/deployment.js';

type Doc = RawConfig & { providers: { totp: { settings: Record<string, unknown> } } };

describe('saving the deployment document (PT-05)', () => {
  let dataDir: string;
  let running: RunningPortal;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'portal-unit-'));
    running = await startPortal(readSettings({ PORTAL_DATA_DIR: dataDir }), 3998);
  }, 60_000);
  afterAll(async () => {
    await running?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function storedRow(): Promise<{ value: string; version: number }> {
    return running.portal.db.db
      .selectFrom('portal_settings')
      .select(['value', 'version'])
      .where('name', '=', 'deployment')
      .executeTakeFirstOrThrow();
  }

  it('a save from a stale form is refused and the newer save stands', async () => {
    const live = running.portal.live;
    const drawn = await live.current();
    const first = structuredClone(drawn.document) as Doc;
    first.providers.totp.settings['issuer'] = 'First Admin Billing';
    const second = structuredClone(drawn.document) as Doc;
    second.providers.totp.settings['issuer'] = 'Second Admin Billing';
    // Both admins opened the page at the same version; the first one saves.
    expect(await live.apply(first, 'admin-1', drawn.version)).toEqual({
      ok: true,
      version: drawn.version + 1,
    });
    const refused = await live.apply(second, 'admin-2', drawn.version);
    expect(refused.ok).toBe(false);
    expect(JSON.stringify(refused)).toContain('another administrator changed the settings');
    const now = await live.current();
    expect(now.version).toBe(drawn.version + 1);
    expect((now.document as Doc).providers.totp.settings['issuer']).toBe('First Admin Billing');
  });

  it('an invalid document is refused with its path and nothing is stored', async () => {
    const live = running.portal.live;
    const before = await storedRow();
    const bad = structuredClone((await live.current()).document) as Doc;
    bad.providers.totp.settings['digits'] = 5;
    const r = await live.apply(bad, 'admin-1', before.version);
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).toContain('providers.totp.settings.digits');
    expect(await storedRow()).toEqual(before);
  });

  it('the stored row is sealed: a secret typed in the admin area is not in it', async () => {
    const live = running.portal.live;
    const build = await live.current();
    const doc = structuredClone(build.document) as RawConfig & {
      providers: { yubikey: { settings: Record<string, unknown> } };
    };
    const apiKey = Buffer.from('a-real-yubicloud-api-key-20b').toString('base64');
    doc.providers.yubikey.settings = { clientId: '12345', apiKey };
    const r = await live.apply(doc, 'admin-1', build.version);
    expect(r.ok).toBe(true);
    const row = await storedRow();
    expect(row.value.startsWith('fk1.')).toBe(true);
    expect(row.value).not.toContain(apiKey);
    expect(row.value).not.toContain('12345');
    const reread = (await live.current()).document as typeof doc;
    expect(reread.providers.yubikey.settings['apiKey']).toBe(apiKey);
  });
});
