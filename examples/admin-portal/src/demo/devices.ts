/**
 * The demo devices page (`/demo/devices`): what a person needs to try the YubiKey and Duo
 * factors by hand without hardware, while the in-process stand-ins answer for YubiCloud and Duo.
 *
 * It is open during the second step (after the password alone) as well as after it, because
 * that is when a person needs an OTP or a push answered. It acts only for the account whose
 * password this session passed (factorkit's state of the session id), never for a user named
 * in the request. Without the stand-ins it is not registered at all, and while the running
 * config names real credentials for both services it answers 404 like any unknown page.
 */
import { expressSession } from '@factorkit/web/express';
import type { NextFunction, Request, Response } from 'express';
import type { AreaRegistrar } from '../app.js';
import { csrfTokenOf } from '../http/csrf.js';
import { signedInUser } from '../http/login.js';
import { renderPage } from '../http/render.js';
import type { Portal } from '../portal.js';
import { duoEmulated, yubicoEmulated } from '../twofactor/deployment.js';
import type { DemoServices } from '../twofactor/emulators.js';
import type { PortalUser } from '../users/user-store.js';
import {
  DEMO_DEVICES_PATH,
  devicesPage,
  type DevicesView,
  type WaitingPush,
} from './devices-view.js';

declare module 'express-session' {
  interface SessionData {
    /** The demo page's one-shot output: the OTP just typed by the software key, or a message. */
    demoDevices?: { otp?: string; message?: DevicesView['message'] };
  }
}

interface StandIns {
  duo: boolean;
  yubikey: boolean;
}

async function standInsInUse(portal: Portal): Promise<StandIns> {
  const doc = (await portal.live.current()).document;
  return { duo: duoEmulated(doc), yubikey: yubicoEmulated(doc) };
}

/** The person whose password this session passed (pending second step or signed in). */
async function sessionUser(portal: Portal, req: Request): Promise<PortalUser | undefined> {
  // From factorkit's state of this session id, not the portal's own field (see signedInUser).
  const user = await (await portal.live.current()).secondStep.passwordUser(expressSession(req));
  return user === null ? undefined : portal.users.byId(user.id);
}

/** The pushes the emulator holds for this person's Duo account only. */
function waitingPushes(demo: DemoServices, user: PortalUser): WaitingPush[] {
  return demo.duo.pushes
    .pending()
    .filter((p) => p.user.username.toLowerCase() === user.email.toLowerCase())
    .map((p) => ({
      txid: p.txid,
      deviceName: p.deviceName,
      factor: p.factor,
      ...(p.verificationCode === undefined ? {} : { verificationCode: p.verificationCode }),
    }));
}

function field(req: Request, name: string): string {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

function done(req: Request, res: Response, out: NonNullable<Request['session']['demoDevices']>) {
  req.session.demoDevices = out;
  res.redirect(303, DEMO_DEVICES_PATH);
}

export const registerDemoDevices: AreaRegistrar = ({ app, portal }) => {
  const demo = portal.demo;
  if (!demo) return;

  /** Passes on to the 404 page when no stand-in is in use (real credentials for both). */
  const onlyWithStandIns = (req: Request, res: Response, next: NextFunction): void => {
    standInsInUse(portal)
      .then((s) => {
        (res.locals as { standIns?: StandIns }).standIns = s;
        next(s.duo || s.yubikey ? undefined : 'route');
      })
      .catch(next);
  };
  const standIns = (res: Response) => (res.locals as { standIns: StandIns }).standIns;

  app.get(DEMO_DEVICES_PATH, onlyWithStandIns, async (req, res) => {
    const user = await sessionUser(portal, req);
    const out = req.session.demoDevices;
    delete req.session.demoDevices;
    const signedIn = user ? await signedInUser(portal, req) : undefined;
    const s = standIns(res);
    await renderPage(portal, req, res, {
      title: 'Demo devices',
      ...(signedIn ? { user: signedIn } : {}),
      main: devicesPage({
        csrf: csrfTokenOf(req),
        email: user?.email,
        yubikey: s.yubikey,
        duo: s.duo,
        otp: user ? out?.otp : undefined,
        pushes: user && s.duo ? waitingPushes(demo, user) : [],
        message: out?.message,
        backUrl: signedIn ? '/' : `${portal.prefix}/`,
      }),
    });
  });

  app.post(`${DEMO_DEVICES_PATH}/yubikey`, onlyWithStandIns, async (req, res) => {
    const user = await sessionUser(portal, req);
    if (!user || !standIns(res).yubikey) return res.redirect(303, DEMO_DEVICES_PATH);
    const key = demo.yubikeys.get(user.email);
    if (!key)
      return done(req, res, {
        message: {
          kind: 'alert',
          text: 'This account has no demo YubiKey: the portal makes one for each user when it starts. Restart it to get one.',
        },
      });
    done(req, res, { otp: key.press() });
  });

  app.post(`${DEMO_DEVICES_PATH}/duo`, onlyWithStandIns, async (req, res) => {
    const user = await sessionUser(portal, req);
    if (!user || !standIns(res).duo) return res.redirect(303, DEMO_DEVICES_PATH);
    const txid = field(req, 'txid');
    const decision = field(req, 'decision');
    const push = waitingPushes(demo, user).find((p) => p.txid === txid);
    if (!push || (decision !== 'approve' && decision !== 'deny'))
      return done(req, res, {
        message: { kind: 'alert', text: 'That request is no longer waiting for your answer.' },
      });
    demo.duo.pushes.answer(push.txid, decision);
    done(req, res, {
      message: {
        kind: 'status',
        text: `${decision === 'approve' ? 'Approved' : 'Denied'}. Go back to the sign-in page and press "Check again".`,
      },
    });
  });
};
