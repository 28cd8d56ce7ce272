/** The portal's users: who they are, their password hash and their audience (client or admin). */
import { randomUUID } from 'node:crypto';
import type { TwoFactorUser } from '@factorkit/core';
import type { Kysely, Selectable } from 'kysely';
import type { PortalTables, PortalUserTable } from '../db/tables.js';

export type Role = 'client' | 'admin';
export type PortalUser = Selectable<PortalUserTable> & { role: Role };

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  passwordHash: string;
  licenseKey?: string;
}

export class UserStore {
  constructor(private readonly db: Kysely<PortalTables>) {}

  async create(user: NewUser, now: number): Promise<PortalUser> {
    const row = {
      id: randomUUID(),
      email: user.email.trim().toLowerCase(),
      name: user.name,
      role: user.role,
      password_hash: user.passwordHash,
      license_key: user.licenseKey ?? '',
      created_at: now,
    };
    await this.db.insertInto('portal_users').values(row).execute();
    return row;
  }

  async byEmail(email: string): Promise<PortalUser | undefined> {
    const row = await this.db
      .selectFrom('portal_users')
      .selectAll()
      .where('email', '=', email.trim().toLowerCase())
      .executeTakeFirst();
    return row as PortalUser | undefined;
  }

  async byId(id: string): Promise<PortalUser | undefined> {
    const row = await this.db
      .selectFrom('portal_users')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row as PortalUser | undefined;
  }

  /** Users whose email or name contains `text` (case-insensitive), by email. */
  async search(text: string, limit = 50): Promise<PortalUser[]> {
    const like = `%${text
      .trim()
      .toLowerCase()
      .replace(/[\\%_]/g, (c) => '\\' + c)}%`;
    let q = this.db.selectFrom('portal_users').selectAll();
    if (text.trim() !== '')
      q = q.where((eb) =>
        eb.or([
          eb(eb.fn('lower', ['email']), 'like', eb.val(like)),
          eb(eb.fn('lower', ['name']), 'like', eb.val(like)),
        ]),
      );
    const rows = await q.orderBy('email').limit(limit).execute();
    return rows as PortalUser[];
  }

  async all(): Promise<PortalUser[]> {
    return (await this.db
      .selectFrom('portal_users')
      .selectAll()
      .orderBy('email')
      .execute()) as PortalUser[];
  }

  async count(): Promise<number> {
    const r = await this.db
      .selectFrom('portal_users')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }
}

/** What factorkit knows of a user: its id, audience, and the fields Duo's username format uses. */
export function twoFactorUser(user: PortalUser): TwoFactorUser {
  return {
    id: user.id,
    audience: user.role,
    username: user.email,
    email: user.email,
    displayName: user.name,
    attributes: { licenseKey: user.license_key },
  };
}
