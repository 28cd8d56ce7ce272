/** The email addresses of a few user ids (the actors and users named on a page), in one query. */
import type { Kysely } from 'kysely';
import type { PortalTables } from '../../db/tables.js';

export async function emailsOf(
  db: Kysely<PortalTables>,
  ids: Iterable<string | null | undefined>,
): Promise<Map<string, { email: string; name: string }>> {
  const wanted = [...new Set([...ids].filter((id): id is string => typeof id === 'string'))];
  const found = new Map<string, { email: string; name: string }>();
  if (wanted.length === 0) return found;
  const rows = await db
    .selectFrom('portal_users')
    .select(['id', 'email', 'name'])
    .where('id', 'in', wanted)
    .execute();
  for (const r of rows) found.set(r.id, { email: r.email, name: r.name });
  return found;
}
