/**
 * Test setup only: puts a portal into a state before a test acts on it, by writing its database
 * the way the admin area's settings page would (the stored deployment document, with a new
 * version that every process notices within a second). Never used for what a test checks.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { PortalProcess } from './portal-process.js';

type Doc = Record<string, unknown> & {
  policy: { audiences: Record<string, Record<string, unknown>>; throttle?: unknown };
};

function open(portal: PortalProcess): Database.Database {
  return new Database(join(portal.dataDir, 'portal.sqlite'));
}

/** Changes the stored deployment document and waits until the portal has picked it up. */
export async function changeDeployment(
  portal: PortalProcess,
  change: (doc: Doc) => void,
): Promise<void> {
  const db = open(portal);
  try {
    const row = db
      .prepare("SELECT value, version FROM portal_settings WHERE name = 'deployment'")
      .get() as { value: string; version: number };
    const doc = JSON.parse(row.value) as Doc;
    change(doc);
    db.prepare(
      "UPDATE portal_settings SET value = ?, version = ?, updated_by = 'test setup' WHERE name = 'deployment'",
    ).run(JSON.stringify(doc), row.version + 1);
  } finally {
    db.close();
  }
  // The portal looks for a new version at most once a second.
  await new Promise((resolve) => setTimeout(resolve, 1_200));
}

/** Gives a user another display name (the portal has no page for that). */
export function renameUser(portal: PortalProcess, email: string, name: string): void {
  const db = open(portal);
  try {
    db.prepare('UPDATE portal_users SET name = ? WHERE email = ?').run(name, email);
  } finally {
    db.close();
  }
}
