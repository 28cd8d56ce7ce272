/**
 * Test setup only: puts a running portal's deployment config into a state (2FA forced for
 * clients) by writing the stored document the admin area would write (sealed as the portal seals it), with its version bumped,
 * so the portal picks it up within its one-second poll. What a test proves is never done here.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { PortalProcess } from './portal-process.js';
import { sealFor } from './stored-settings.js';

type Doc = {
  providers: Record<string, { settings?: Record<string, unknown> }>;
  policy: { audiences: Record<string, Record<string, unknown>>; throttle?: unknown };
};

/** Changes the stored document with `edit` and waits until the portal has seen it. */
export async function editDeployment(portal: PortalProcess, edit: (doc: Doc) => void) {
  const db = new Database(join(portal.dataDir, 'portal.sqlite'), { timeout: 5000 });
  try {
    const row = db
      .prepare(`select value, version from portal_settings where name = 'deployment'`)
      .get() as { value: string; version: number };
    const seal = sealFor(portal.dataDir);
    const doc = seal.open(row.value) as Doc;
    edit(doc);
    db.prepare(
      `update portal_settings set value = ?, version = ?, updated_by = 'test setup' where name = 'deployment'`,
    ).run(seal.seal(doc), row.version + 1);
  } finally {
    db.close();
  }
  // The portal looks for a new version at most once a second.
  await new Promise((resolve) => setTimeout(resolve, 1300));
}

/** "Force Client Users to enable 2FA on next login", no grace period. */
export function forceTwoFactorForClients(portal: PortalProcess): Promise<void> {
  return editDeployment(portal, (doc) => {
    doc.policy.audiences['client'] = { ...doc.policy.audiences['client'], force: true };
  });
}
