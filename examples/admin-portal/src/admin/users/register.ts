/** The admin area's Users pages: the list with search, one user's page, and its two actions. */
import type { AreaRegistrar } from '../../app.js';
import { confirmPage, postAction, targetOf } from './actions.js';
import { renderUserPage } from './detail-page.js';
import { renderUserList } from './list-page.js';

export const registerAdminUsers: AreaRegistrar = ({ admin, portal }) => {
  admin.get('/users', (req, res) => renderUserList(portal, req, res));
  admin.get('/users/:id', async (req, res, next) => {
    const target = await targetOf(portal, req);
    if (!target) return next();
    await renderUserPage(portal, req, res, target);
  });
  admin.get('/users/:id/:action/confirm', (req, res, next) => confirmPage(portal, req, res, next));
  admin.post('/users/:id/:action', (req, res, next) => postAction(portal, req, res, next));
};
