/** The portal's own tables, beside factorkit's (store-sql owns those). */
import type { Generated } from 'kysely';

export interface PortalUserTable {
  id: string;
  email: string;
  name: string;
  /** The factorkit audience: 'client' or 'admin'. */
  role: string;
  password_hash: string;
  /** The WHMCS licence key of the admin's installation (Duo username format `{licenseKey}`). */
  license_key: string;
  created_at: number;
}

export interface PortalSessionTable {
  sid: string;
  data: string;
  expires_at: number;
}

/** One row per named document (the deployment config): the version lets every process notice a change. */
export interface PortalSettingTable {
  name: string;
  value: string;
  version: number;
  updated_at: number;
  updated_by: string;
}

export interface PortalAuditTable {
  id: Generated<number>;
  at: number;
  type: string;
  user_id: string | null;
  actor_id: string | null;
  provider_id: string | null;
  ip: string | null;
  detail: string;
}

export interface PortalTables {
  portal_users: PortalUserTable;
  portal_sessions: PortalSessionTable;
  portal_settings: PortalSettingTable;
  portal_audit: PortalAuditTable;
}
