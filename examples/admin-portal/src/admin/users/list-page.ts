/**
 * `/admin/users`: find a user by email or name (a GET form, so the search is a link to share
 * and the query stays in the field) and see each one's two-factor state at a glance.
 */
import type { Request, Response } from 'express';
import { userOf } from '../../http/guards.js';
import { e } from '../../http/html.js';
import { renderPage } from '../../http/render.js';
import type { Portal } from '../../portal.js';
import { textField } from '../form.js';
import { utcTime } from '../format.js';
import { lockText, providerName, summaryOf } from './status.js';

const PAGE = 50;
const MAX_QUERY = 254;

export async function renderUserList(portal: Portal, req: Request, res: Response): Promise<void> {
  const admin = userOf(res);
  const query = textField(req.query, 'q').slice(0, MAX_QUERY);
  const build = await portal.live.current();
  const users = await portal.users.search(query, PAGE);
  const rows: string[] = [];
  for (const u of users) {
    const s = await summaryOf(portal, build, u);
    const factors =
      s.factors.length === 0
        ? 'None'
        : `${s.factors.length}: ${s.factors
            .map((f) => providerName(portal, f.providerId) + (f.label ? ` (${f.label})` : ''))
            .join(', ')}`;
    rows.push(
      `<tr><td><a href="/admin/users/${e(u.id)}">${e(u.email)}</a></td><td>${e(u.name)}</td>` +
        `<td>${u.role === 'admin' ? 'Administrator' : 'Client'}</td><td>${e(factors)}</td>` +
        `<td>${e(lockText(s.lock))}</td><td>${s.graceDeadline === null ? '—' : e(utcTime(s.graceDeadline))}</td></tr>`,
    );
  }
  const results =
    users.length === 0
      ? `<p role="status">No user matches “${e(query)}”.</p>`
      : `<table><caption>${users.length === PAGE ? `The first ${PAGE} users found: narrow the search to see others` : `${users.length} user${users.length === 1 ? '' : 's'}`}</caption>` +
        `<thead><tr><th scope="col">Email address</th><th scope="col">Name</th><th scope="col">Role</th>` +
        `<th scope="col">Factors</th><th scope="col">Lock</th><th scope="col">Grace deadline</th></tr></thead>` +
        `<tbody>${rows.join('')}</tbody></table>`;
  await renderPage(portal, req, res, {
    title: 'Users',
    user: admin,
    main:
      `<h1>Users</h1>` +
      `<form method="get" action="/admin/users" role="search">` +
      `<label for="q">Search by email address or name</label>` +
      `<input id="q" name="q" type="search" maxlength="${MAX_QUERY}" value="${e(query)}">` +
      `<button type="submit">Search</button></form>${results}`,
  });
}
