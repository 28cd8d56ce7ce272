import type { FastifyInstance, FastifyReply } from 'fastify';
import { nowSec, type EmulatorContext } from '../context.js';
import { allPairs, firstParam } from '../http/params.js';
import { freePlanMessage } from '../oidc/messages.js';
import { digits, txid as newTxid } from '../state/random.js';
import type { AuthApiApp } from '../state/apps.js';
import { RememberedDevices } from '../state/remembered.js';
import type { EmulatorUser } from '../state/users.js';
import { authenticate, resolveUser } from './authenticate.js';
import { pickDevice, preauthDevices, sendSmsBatch } from './devices.js';
import { duoFail, duoOk } from './envelope.js';
import type { AuthStatus, PushTransaction } from './pushes.js';

const FACTORS = new Set(['auto', 'push', 'passcode', 'phone', 'sms']);

export function registerAuthApiRoutes(
  app: FastifyInstance,
  ctx: EmulatorContext,
  enrollUrl: (host: string, username: string) => string,
): void {
  const owners = new Map<string, string>(); // txid -> ikey
  const remembered = new RememberedDevices(() => ctx.nowMs());
  const txTokens = new Map<string, string>(); // txid -> trusted_device_token it returned
  /** Adds a `trusted_device_token` to an `allow` when the app remembers devices (not bypass). */
  const withToken = (
    status: AuthStatus,
    user: EmulatorUser,
    authApp: AuthApiApp,
    txid?: string,
  ): AuthStatus & { trusted_device_token?: string } => {
    const ttl = authApp.rememberDevicesSec;
    if (ttl === undefined || status.result !== 'allow' || status.status === 'bypass') return status;
    const token =
      (txid !== undefined ? txTokens.get(txid) : undefined) ??
      remembered.issue(user.userId, authApp.ikey, ttl);
    if (txid !== undefined) txTokens.set(txid, token);
    return { ...status, trusted_device_token: token };
  };
  // Verified Duo Push: txids handed out by preauth, waiting for the /auth that uses them.
  const verified = new Map<
    string,
    { user: EmulatorUser; ikey: string; code: string; expiresAtMs: number }
  >();
  const VERIFIED_TTL_SEC = 60;

  /**
   * `healthCheckFail` for the Auth API: HTTP 200 with `stat: FAIL` and a 5xxxx code, the shape
   * of the Universal health check's "unhealthy" answer. Duo documents no unhealthy answer for
   * `ping`/`check`, so this exact shape is our choice (a client must treat it as an outage).
   */
  const unhealthy = (reply: FastifyReply): FastifyReply =>
    reply.type('application/json; charset=utf-8').send({
      stat: 'FAIL',
      code: 50301,
      message: 'Service unavailable',
      message_detail: 'Duo is temporarily unavailable.',
    });

  app.get('/auth/v2/ping', async (_request, reply) =>
    ctx.faults().healthCheckFail ? unhealthy(reply) : duoOk(reply, { time: nowSec(ctx) }),
  );

  app.get('/auth/v2/check', async (request, reply) => {
    if (!authenticate(ctx, request, reply)) return reply;
    if (ctx.faults().healthCheckFail) return unhealthy(reply);
    return duoOk(reply, { time: nowSec(ctx) });
  });

  app.post('/auth/v2/preauth', async (request, reply) => {
    const authApp = authenticate(ctx, request, reply);
    if (!authApp) return reply;
    const who = resolveUser(ctx, allPairs(request), reply);
    if (!who) return reply;
    const { found } = who;
    if (!found) {
      if (ctx.users.atLimit)
        return duoOk(reply, { result: 'deny', status_msg: freePlanMessage(ctx.users.maxUsers) });
      return duoOk(reply, {
        result: 'enroll',
        status_msg: 'Enroll an authentication device to proceed',
        enroll_portal_url: enrollUrl(request.headers.host ?? '', who.name),
      });
    }
    const { user } = found;
    switch (user.status) {
      case 'bypass':
        return duoOk(reply, { result: 'allow', status_msg: 'Account is in bypass mode' });
      case 'disabled':
        return duoOk(reply, { result: 'deny', status_msg: 'Account is disabled' });
      case 'locked_out':
        return duoOk(reply, { result: 'deny', status_msg: 'Your account is locked out' });
      case 'active':
        break;
    }
    if (!ctx.users.isEnrolled(user)) {
      return duoOk(reply, {
        result: 'enroll',
        status_msg: 'Enroll an authentication device to proceed',
        enroll_portal_url: enrollUrl(request.headers.host ?? '', who.name),
      });
    }
    const trusted = firstParam(allPairs(request), 'trusted_device_token');
    if (
      trusted !== undefined &&
      authApp.rememberDevicesSec !== undefined &&
      remembered.isValid(trusted, user.userId, authApp.ikey)
    ) {
      // The wording is ours: Duo documents the `allow` result, not its status_msg.
      return duoOk(reply, {
        result: 'allow',
        status_msg: 'Remembered device: no second factor needed.',
        trusted_device_token: trusted,
      });
    }
    if (ctx.faults().verifiedPush && user.devices.some((d) => d.capabilities.includes('push'))) {
      const supports = firstParam(allPairs(request), 'client_supports_verified_push') === '1';
      if (!supports) {
        // Our choice (Duo documents no exact answer): a client that cannot show the code is
        // offered no push at all, so "Require Verified Push" cannot be bypassed.
        const devices = user.devices
          .map((d) => ({ ...d, capabilities: d.capabilities.filter((c) => c !== 'push') }))
          .filter((d) => d.capabilities.some((c) => c !== 'auto'));
        return duoOk(reply, {
          result: 'auth',
          status_msg: 'Account is active',
          devices: preauthDevices(user, devices),
        });
      }
      const now = ctx.nowMs();
      for (const [k, v] of verified) if (v.expiresAtMs < now) verified.delete(k);
      const id = newTxid();
      const code = digits(3);
      const expiration = nowSec(ctx) + VERIFIED_TTL_SEC;
      verified.set(id, { user, ikey: authApp.ikey, code, expiresAtMs: expiration * 1000 });
      return duoOk(reply, {
        result: 'auth',
        status_msg: 'Account is active',
        devices: preauthDevices(user),
        txid: id,
        verification_code: code,
        expiration,
      });
    }
    return duoOk(reply, {
      result: 'auth',
      status_msg: 'Account is active',
      devices: preauthDevices(user),
    });
  });

  app.post('/auth/v2/auth', async (request, reply) => {
    const authApp = authenticate(ctx, request, reply);
    if (!authApp) return reply;
    const pairs = allPairs(request);
    const factor = firstParam(pairs, 'factor');
    if (factor === undefined) return duoFail(reply, 40001, 'factor');
    if (!FACTORS.has(factor)) return duoFail(reply, 40002, 'factor');
    const who = resolveUser(ctx, pairs, reply);
    if (!who) return reply;
    if (!who.found) return duoFail(reply, 40002, 'username');
    const { user } = who.found;
    const isAsync = firstParam(pairs, 'async') === '1' || firstParam(pairs, 'async') === 'true';

    const answer = async (status: AuthStatus): Promise<FastifyReply> => {
      if (!isAsync) return duoOk(reply, withToken(status, user, authApp));
      const tx = ctx.pushes.record(user, who.name, status);
      owners.set(tx.txid, authApp.ikey);
      return duoOk(reply, { txid: tx.txid });
    };

    if (user.status === 'bypass')
      return answer({
        result: 'allow',
        status: 'bypass',
        status_msg: 'Bypass user: logging you in.',
      });
    if (user.status === 'disabled')
      return answer({ result: 'deny', status: 'deny', status_msg: 'Account is disabled.' });
    if (user.status === 'locked_out')
      return answer({
        result: 'deny',
        status: 'locked_out',
        status_msg: 'Your account is locked out.',
      });

    if (factor === 'passcode') {
      const passcode = firstParam(pairs, 'passcode');
      if (passcode === undefined) return duoFail(reply, 40001, 'passcode');
      for (const list of [user.passcodes, user.smsPasscodes]) {
        const i = list.indexOf(passcode);
        if (i >= 0) {
          list.splice(i, 1); // every passcode is single use
          ctx.users.recordSuccess(user);
          return answer({
            result: 'allow',
            status: 'allow',
            status_msg: 'Success. Logging you in...',
          });
        }
      }
      ctx.users.recordFailure(user);
      return answer({
        result: 'deny',
        status: 'deny',
        status_msg: 'Incorrect passcode. Please try again.',
      });
    }

    // Verified Duo Push: a push needs the txid preauth gave this user and integration.
    let verifiedTx: { txid: string; verificationCode: string } | undefined;
    const sentTxid = firstParam(pairs, 'txid');
    if (ctx.faults().verifiedPush && sentTxid !== undefined) {
      const v = verified.get(sentTxid);
      if (!v || v.user !== user || v.ikey !== authApp.ikey || v.expiresAtMs < ctx.nowMs())
        return duoFail(reply, 40002, 'txid');
      verified.delete(sentTxid); // single use
      verifiedTx = { txid: sentTxid, verificationCode: v.code };
    }
    const pushAllowed = !ctx.faults().verifiedPush || verifiedTx !== undefined;
    const device = pickDevice(user, factor, firstParam(pairs, 'device') ?? 'auto', pushAllowed);
    if (!device) return duoFail(reply, 40002, 'no capable device');
    if (device.factor === 'sms') {
      sendSmsBatch(user, device.device);
      return answer({ result: 'deny', status: 'sent', status_msg: 'New SMS passcodes sent.' });
    }
    const scripted = user.pushAnswer ?? ctx.faults().pushAnswer ?? 'manual';
    const tx = ctx.pushes.start(
      user,
      who.name,
      device.factor,
      device.device.display_name,
      scripted,
      device.factor === 'push' ? verifiedTx : undefined,
    );
    owners.set(tx.txid, authApp.ikey);
    if (isAsync) return duoOk(reply, { txid: tx.txid });
    await ctx.pushes.waitForFinal(tx, ctx.settings.pushTimeoutMs + 1000);
    tx.reportedSeq = tx.seq;
    return duoOk(reply, withToken(tx.current, user, authApp, tx.txid));
  });

  app.get('/auth/v2/auth_status', async (request, reply) => {
    const authApp = authenticate(ctx, request, reply);
    if (!authApp) return reply;
    const id = firstParam(allPairs(request), 'txid');
    if (id === undefined) return duoFail(reply, 40001, 'txid');
    const tx: PushTransaction | undefined = ctx.pushes.get(id);
    if (!tx || owners.get(id) !== authApp.ikey) return duoFail(reply, 40002, 'txid');
    if (tx.seq <= tx.reportedSeq)
      await ctx.pushes.waitForChange(tx, tx.seq, ctx.settings.longPollMs);
    tx.reportedSeq = tx.seq;
    return duoOk(reply, { ...withToken(tx.current, tx.user, authApp, id), auth_delayed: false });
  });
}
