/** The client area's home: what a client of the billing portal sees after signing in. */
import type { Router } from 'express';
import { userOf } from '../http/guards.js';
import { e } from '../http/html.js';
import { renderPage, takeNotice } from '../http/render.js';
import type { Portal } from '../portal.js';
import { twoFactorUser } from '../users/user-store.js';

export function registerClientHome(router: Router, portal: Portal): void {
  router.get('/', async (req, res) => {
    const user = userOf(res);
    const build = await portal.live.current();
    const factors = await build.service.listEnrollments(twoFactorUser(user));
    const status =
      factors.length === 0
        ? `<p>Two-factor authentication is <strong>off</strong> for your account. <a href="${e(portal.prefix)}/account">Turn it on in Security settings</a>.</p>`
        : `<p>Two-factor authentication is <strong>on</strong> (${factors.length} method${factors.length === 1 ? '' : 's'}). <a href="${e(portal.prefix)}/account">Manage it in Security settings</a>.</p>`;
    await renderPage(portal, req, res, {
      title: 'Client area',
      user,
      main:
        `<h1>Welcome back, ${e(user.name)}</h1>${takeNotice(req)}${status}` +
        `<h2>Your services</h2><table><thead><tr><th scope="col">Service</th><th scope="col">Status</th><th scope="col">Next invoice</th></tr></thead>` +
        `<tbody><tr><td>Shared hosting (demo)</td><td>Active</td><td>USD 9.95</td></tr></tbody></table>`,
    });
  });
}
