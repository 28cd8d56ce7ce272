/** The admin area's home: where the configuration pages are, and whether each provider is healthy. */
import type { Router } from 'express';
import { userOf } from '../http/guards.js';
import { e } from '../http/html.js';
import { renderPage, takeNotice } from '../http/render.js';
import type { Portal } from '../portal.js';

export function registerAdminDashboard(router: Router, portal: Portal): void {
  router.get('/', async (req, res) => {
    const user = userOf(res);
    const build = await portal.live.current();
    const health = await build.service.health();
    const rows = Object.entries(health)
      .map(
        ([id, h]) =>
          `<tr><td>${e(portal.registry.get(id).displayName)}</td><td>${h.healthy ? 'Healthy' : 'Not reachable'}</td></tr>`,
      )
      .join('');
    await renderPage(portal, req, res, {
      title: 'Admin dashboard',
      user,
      main:
        `<h1>Admin dashboard</h1>${takeNotice(req)}` +
        `<ul><li><a href="/admin/two-factor">Configuration › System Settings › Two Factor Authentication</a></li>` +
        `<li><a href="/admin/users">Users</a></li><li><a href="/admin/audit">Audit log</a></li></ul>` +
        `<h2>Provider health</h2><table><thead><tr><th scope="col">Provider</th><th scope="col">Status</th></tr></thead><tbody>${rows}</tbody></table>`,
    });
  });
}
