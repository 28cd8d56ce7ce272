/** Who may see a page: a fully signed-in person (password and second step), of the right role. */
import type { NextFunction, Request, Response } from 'express';
import type { Portal } from '../portal.js';
import type { PortalUser, Role } from '../users/user-store.js';
import { signedInUser } from './login.js';

export interface SignedInLocals {
  user: PortalUser;
}

export function userOf(res: Response): PortalUser {
  return (res.locals as SignedInLocals).user;
}

/** A person who is not signed in goes to the login; a pending second step goes back to it. */
export function requireRole(portal: Portal, role: Role | 'any') {
  return (req: Request, res: Response, next: NextFunction): void => {
    signedInUser(portal, req)
      .then((user) => {
        if (!user) {
          const pending = req.session.userId !== undefined;
          return res.redirect(303, pending ? `${portal.prefix}/` : '/login');
        }
        // Out of this router to the site's own 404 page: another role's area is answered
        // exactly like a page that does not exist (FL-14: a refused caller learns nothing).
        if (role !== 'any' && user.role !== role) return next('router');
        (res.locals as SignedInLocals).user = user;
        next();
      })
      .catch(next);
  };
}
