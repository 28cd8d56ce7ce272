/**
 * The route groups beyond the login and the two home pages, each from its own module: the admin
 * area's Two Factor Authentication settings, users and audit log, and the demo pages.
 */
import type { AreaRegistrar } from './app.js';
import { registerAdminAudit } from './admin/audit/register.js';
import { registerTwoFactorSettings } from './admin/two-factor/routes.js';
import { registerAdminUsers } from './admin/users/register.js';
import { registerDemoDevices } from './demo/devices.js';

export const AREAS: AreaRegistrar[] = [
  ({ admin, portal }) => registerTwoFactorSettings(admin, portal),
  registerAdminUsers,
  registerAdminAudit,
  registerDemoDevices,
];
