/**
 * Test setup only: puts a portal into a state before a test acts on it, by writing its database
 * the way the admin area's settings page would (the stored deployment document, with a new
 * version that every process notices within a second). Never used for what a test checks.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { editDeployment } from './deployment.js';
import type { PortalProcess } from './portal-process.js';

function open(portal: PortalProcess): Database.Database {
  return new Database(join(portal.dataDir, 'portal.sqlite'));
}

/** Changes the stored deployment document and waits until the portal has picked it up. */
export const changeDeployment = editDeployment;

/** Gives a user another display name (the portal has no page for that). */
export function renameUser(portal: PortalProcess, email: string, name: string): void {
  const db = open(portal);
  try {
    db.prepare('UPDATE portal_users SET name = ? WHERE email = ?').run(name, email);
  } finally {
    db.close();
  }
}
