/**
 * `/admin/audit`: the audit log, newest first, 50 a page, filtered by user, event type and UTC
 * dates (a GET form), each row with its time, event, user, actor, provider, IP and a short detail.
 */
import type { Request, Response } from 'express';
import { userOf } from '../../http/guards.js';
import { e } from '../../http/html.js';
import { renderPage } from '../../http/render.js';
import type { Portal } from '../../portal.js';
import { fieldErrorFor } from '../form.js';
import { eventLabel, utcTime } from '../format.js';
import { providerName } from '../users/status.js';
import { shortDetail } from './detail.js';
import { cursorOf, queryString, type CheckedFilters } from './filters.js';
import { auditRows } from './query.js';

export const PAGE_SIZE = 50;

function filterForm(checked: CheckedFilters, types: readonly string[]): string {
  const v = checked.input;
  const errors = checked.ok ? {} : checked.errors;
  const user = fieldErrorFor('filter-user', errors.user);
  const type = fieldErrorFor('filter-type', errors.type);
  const from = fieldErrorFor('filter-from', errors.from);
  const to = fieldErrorFor('filter-to', errors.to);
  const options = types
    .map(
      (t) =>
        `<option value="${e(t)}"${t === v.type ? ' selected' : ''}>${e(eventLabel(t))} (${e(t)})</option>`,
    )
    .join('');
  return (
    `<form method="get" action="/admin/audit"><fieldset><legend>Filter</legend>` +
    `<label for="filter-user">User (email address)</label>` +
    `<input id="filter-user" name="user" type="text" inputmode="email" maxlength="254" value="${e(v.user)}"${user.attrs}>${user.html}` +
    `<label for="filter-type">Event</label>` +
    `<select id="filter-type" name="type"${type.attrs}><option value="">All events</option>${options}</select>${type.html}` +
    `<label for="filter-from">From (UTC date, inclusive)</label>` +
    `<input id="filter-from" name="from" type="date" value="${e(v.from)}"${from.attrs}>${from.html}` +
    `<label for="filter-to">To (UTC date, inclusive)</label>` +
    `<input id="filter-to" name="to" type="date" value="${e(v.to)}"${to.attrs}>${to.html}` +
    `<button type="submit">Filter</button> <a href="/admin/audit">Clear the filters</a></fieldset></form>`
  );
}

export async function renderAuditPage(
  portal: Portal,
  req: Request,
  res: Response,
  checked: CheckedFilters,
  types: readonly string[],
): Promise<void> {
  let body: string;
  if (!checked.ok) {
    const pageLink = checked.errors.before
      ? `<p role="alert">${e(checked.errors.before)} <a href="/admin/audit${e(queryString(checked.input))}">Newest events</a></p>`
      : '';
    body = `${pageLink}<p>Correct the filters above to see the events.</p>`;
  } else {
    const rows = await auditRows(portal.db.db, checked.filter, PAGE_SIZE + 1);
    const older = rows.length > PAGE_SIZE;
    const shown = rows.slice(0, PAGE_SIZE);
    const tableRows = shown
      .map(
        (r) =>
          `<tr><td>${e(utcTime(r.at))}</td><td>${e(eventLabel(r.type))}<br><code>${e(r.type)}</code></td>` +
          `<td>${e(r.userEmail)}</td><td>${e(r.actorEmail)}</td>` +
          `<td>${r.providerId ? e(providerName(portal, r.providerId)) : ''}</td><td>${e(r.ip)}</td>` +
          `<td>${e(shortDetail(r.event))}</td></tr>`,
      )
      .join('');
    const last = shown[shown.length - 1];
    const nav = [
      checked.filter.before
        ? `<a href="/admin/audit${e(queryString(checked.input))}">Newest events</a>`
        : '',
      older && last
        ? `<a href="/admin/audit${e(queryString(checked.input, { before: cursorOf(last) }))}" rel="next">Older events</a>`
        : '',
    ]
      .filter((l) => l !== '')
      .join(' · ');
    body =
      shown.length === 0
        ? `<p role="status">No events match these filters.</p>`
        : `<table><caption>Audit events, newest first${checked.filter.before ? ' (older page)' : ''}</caption><thead><tr>` +
          `<th scope="col">Time (UTC)</th><th scope="col">Event</th><th scope="col">User</th><th scope="col">Actor</th>` +
          `<th scope="col">Provider</th><th scope="col">IP address</th><th scope="col">Detail</th></tr></thead>` +
          `<tbody>${tableRows}</tbody></table>` +
          (nav ? `<nav aria-label="Audit log pages"><p>${nav}</p></nav>` : '');
  }
  await renderPage(portal, req, res, {
    title: 'Audit log',
    user: userOf(res),
    status: checked.ok ? 200 : 400,
    main:
      `<h1>Audit log</h1>${filterForm(checked, types)}` +
      (checked.ok
        ? `<p><a href="/admin/audit/export.csv${e(queryString(checked.input))}" download>Export CSV</a> (every event matching the filters)</p>`
        : '') +
      body,
  });
}
