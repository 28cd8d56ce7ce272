/**
 * The route groups beyond the login and the two home pages, each from its own module: the admin
 * area's Two Factor Authentication settings, users and audit log, and the demo pages.
 */
import type { AreaRegistrar } from './app.js';
import { registerAdminAudit } from './admin/audit/register.js';
import { registerAdminUsers } from './admin/users/register.js';

export const AREAS: AreaRegistrar[] = [registerAdminUsers, registerAdminAudit];
