/**
 * What the admin page's browser tests share: opening the Two Factor Authentication page as the
 * demo admin, a provider's or the enforcement part of it (each is a labelled region), and the
 * stored deployment document read straight from the data folder's SQLite file, to check what a
 * save kept (never to put the portal into a state: the tests do that through the page).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Locator, Page } from 'playwright-core';
import { expectHeading, signInWithPassword } from './browser.js';
import type { PortalProcess } from './portal-process.js';
import { openStored } from './stored-settings.js';

export async function openTwoFactorSettings(page: Page, portal: PortalProcess): Promise<void> {
  if (!new URL(page.url()).pathname.startsWith('/admin')) {
    await signInWithPassword(page, portal.url, portal.admin);
    await expectHeading(page, 'Admin dashboard');
  }
  await page.goto(`${portal.url}/admin/two-factor`);
  await expectHeading(page, 'Two Factor Authentication');
}

/** A provider's part of the page ("Duo", "TOTP"...) or "Enforcement". */
export function region(page: Page, name: string): Locator {
  return page.getByRole('region', { name, exact: true });
}

/** The stored deployment document and its version, as the portal keeps it. */
export function storedDocument(portal: PortalProcess): {
  version: number;
  document: Record<string, unknown>;
  /** The row as stored: sealed, so no secret appears in it. */
  sealed: string;
} {
  const db = new Database(join(portal.dataDir, 'portal.sqlite'), { readonly: true });
  try {
    const row = db
      .prepare("select value, version from portal_settings where name = 'deployment'")
      .get() as { value: string; version: number };
    return {
      version: row.version,
      document: openStored(portal.dataDir, row.value),
      sealed: row.value,
    };
  } finally {
    db.close();
  }
}

export function auditRows(
  portal: PortalProcess,
  type: string,
): { actor_id: string; detail: string }[] {
  const db = new Database(join(portal.dataDir, 'portal.sqlite'), { readonly: true });
  try {
    return db
      .prepare('select actor_id, detail from portal_audit where type = ? order by id')
      .all(type) as { actor_id: string; detail: string }[];
  } finally {
    db.close();
  }
}

export const DAY_MS = 24 * 3600 * 1000;
