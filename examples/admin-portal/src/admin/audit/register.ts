/** The admin area's audit log: the page and its CSV export, with the same filters. */
import type { AreaRegistrar } from '../../app.js';
import { sendAuditCsv } from './csv.js';
import { checkFilters, readFilterInput } from './filters.js';
import { renderAuditPage } from './page.js';
import { eventTypes } from './query.js';

export const registerAdminAudit: AreaRegistrar = ({ admin, portal }) => {
  admin.get('/audit', async (req, res) => {
    const types = await eventTypes(portal.db.db);
    const checked = await checkFilters(portal, readFilterInput(req.query), types);
    await renderAuditPage(portal, req, res, checked, types);
  });
  admin.get('/audit/export.csv', async (req, res) => {
    const types = await eventTypes(portal.db.db);
    const checked = await checkFilters(portal, readFilterInput(req.query), types);
    // A bad filter is shown on the page, never exported as a file of something else.
    if (!checked.ok) return renderAuditPage(portal, req, res, checked, types);
    await sendAuditCsv(portal.db.db, checked.filter, res, portal.now());
  });
};
