/**
 * The Express app: sessions, factorkit's routes and pages under the prefix (served first, with
 * their own body parsing, CSRF and headers), then the portal's pages behind secure headers, a
 * urlencoded body parser and CSRF, then the client and admin areas behind their guards.
 */
import { twoFactorMiddleware } from '@factorkit/web/express';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import session from 'express-session';
import { registerAdminDashboard } from './admin/dashboard.js';
import { registerClientHome } from './client/home.js';
import { csrfProtection } from './http/csrf.js';
import { requireRole } from './http/guards.js';
import { e } from './http/html.js';
import { registerLogin } from './http/login.js';
import { renderPage } from './http/render.js';
import { securityHeaders } from './http/security-headers.js';
import { SqlSessionStore } from './http/session-store.js';
import type { Portal } from './portal.js';
import type { TwoFactorBuild } from './twofactor/live.js';

/** Extra route groups (the admin pages, the demo pages) are added by their own modules. */
export type AreaRegistrar = (area: {
  client: express.Router;
  admin: express.Router;
  app: Express;
  portal: Portal;
}) => void;

export function createApp(
  portal: Portal,
  sessionSecret: string,
  extra: AreaRegistrar[] = [],
): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(
    session({
      name: 'portal.sid',
      store: new SqlSessionStore(portal.db.db, portal.now),
      secret: sessionSecret,
      resave: false,
      saveUninitialized: false,
      rolling: false,
      // Lax, not Strict: the way back from Duo's prompt is a cross-site navigation (web README).
      cookie: {
        httpOnly: true,
        sameSite: 'lax',
        secure: portal.origin.startsWith('https:'),
        maxAge: 12 * 3600 * 1000,
      },
    }),
  );
  // One middleware per build: a config change swaps the handler without a restart.
  const middlewares = new WeakMap<TwoFactorBuild, RequestHandler>();
  app.use((req, res, next) => {
    portal.live
      .current()
      .then((build) => {
        let mw = middlewares.get(build);
        if (!mw) middlewares.set(build, (mw = twoFactorMiddleware(build.handler)));
        mw(req, res, next);
      })
      .catch(next);
  });
  app.use(securityHeaders());
  app.use(express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 500 }));
  app.use(csrfProtection);
  registerLogin(app, portal);

  const client = express.Router();
  client.use(requireRole(portal, 'client'));
  registerClientHome(client, portal);
  const admin = express.Router();
  admin.use(requireRole(portal, 'admin'));
  registerAdminDashboard(admin, portal);
  for (const add of extra) add({ client, admin, app, portal });
  app.use('/client', client);
  app.use('/admin', admin);

  app.use(async (req, res) => {
    await renderPage(portal, req, res, {
      title: 'Not found',
      status: 404,
      main: `<h1>Page not found</h1><p><a href="/">Go to the start page</a></p>`,
    });
  });
  app.use(errorPage(portal));
  return app;
}

/** No stack trace ever reaches the browser: a clear message, the details to the log. */
function errorPage(portal: Portal): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const status =
      (err as { status?: number }).status ?? (err as { statusCode?: number }).statusCode ?? 500;
    const code = (err as { code?: string }).code;
    let message = 'Something went wrong on our side. Try again in a moment.';
    if (code === 'CSRF_INVALID') message = (err as Error).message;
    else if (status === 413) message = 'What you sent is too large.';
    else if (status >= 400 && status < 500) message = 'That request could not be understood.';
    else portal.log('request failed', err);
    if (res.headersSent) return res.end();
    renderPage(portal, req, res, {
      title: 'Error',
      status: status >= 400 && status < 600 ? status : 500,
      main: `<h1>Sorry</h1><p role="alert">${e(message)}</p><p><a href="/">Go to the start page</a></p>`,
    }).catch(() => res.status(500).type('text').send(message));
  };
}
