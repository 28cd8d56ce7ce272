import type { FastifyRequest } from 'fastify';
import { nowSec, type EmulatorContext } from '../context.js';
import type { WebSdkApp } from '../state/apps.js';
import { HOSTILE_TEXT, faultApplies } from '../state/faults.js';
import { opaqueToken } from '../state/random.js';
import type { EmulatorUser } from '../state/users.js';
import { JtiCache } from './client-jwt.js';
import { freePlanMessage } from './messages.js';

/** A verified authorize request: what the callback and the code need to remember. */
export interface AuthRequest {
  app: WebSdkApp;
  host: string;
  redirectUri: string;
  state: string;
  sentName: string;
  nonce: string | undefined;
  codeParam: 'duo_code' | 'code';
}

export interface PendingPrompt extends AuthRequest {
  kind: 'prompt' | 'enroll';
  expiresAtMs: number;
}

export interface AuthResult {
  result: 'allow' | 'deny';
  status: string;
  status_msg: string;
}

export interface IssuedCode {
  clientId: string;
  redirectUri: string;
  sentName: string;
  user: EmulatorUser;
  matchedBy: 'username' | 'alias';
  nonce: string | undefined;
  authTimeSec: number;
  expiresAtMs: number;
  authResult: AuthResult;
}

export const PROMPT_TTL_MS = 10 * 60_000;

export function requestHost(request: FastifyRequest): string {
  return (request.headers.host ?? '').toLowerCase();
}

/**
 * The Universal Prompt's server-side state: pending prompt pages, issued codes, enrolment-portal
 * links and seen assertion `jti`s, with the redirects that end an authorize request.
 */
export class OidcFlows {
  readonly jtis = new JtiCache();
  readonly prompts = new Map<string, PendingPrompt>();
  readonly codes = new Map<string, IssuedCode>();
  readonly enrollCodes = new Map<string, { username: string; expiresAtMs: number }>();

  constructor(private readonly ctx: EmulatorContext) {}

  prune(): void {
    const now = this.ctx.nowMs();
    for (const [k, v] of this.prompts) if (v.expiresAtMs < now) this.prompts.delete(k);
    for (const [k, v] of this.codes) if (v.expiresAtMs < now) this.codes.delete(k);
    for (const [k, v] of this.enrollCodes) if (v.expiresAtMs < now) this.enrollCodes.delete(k);
  }

  private redirectWith(req: AuthRequest, params: Record<string, string>): string {
    const url = new URL(req.redirectUri);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    url.searchParams.set('state', req.state);
    return url.toString();
  }

  private issueCode(
    req: AuthRequest,
    user: EmulatorUser,
    matchedBy: 'username' | 'alias',
    authResult: AuthResult,
  ): string {
    const code = opaqueToken(24);
    this.codes.set(code, {
      clientId: req.app.clientId,
      redirectUri: req.redirectUri,
      sentName: req.sentName,
      user,
      matchedBy,
      nonce: req.nonce,
      authTimeSec: nowSec(this.ctx),
      expiresAtMs: this.ctx.nowMs() + this.ctx.settings.codeTtlSec * 1000,
      authResult,
    });
    return this.redirectWith(req, { [req.codeParam]: code });
  }

  /** `redirect_uri?error=access_denied&error_description=…&state=…` */
  denyRedirect(req: AuthRequest, description: string): string {
    const f = this.ctx.faults();
    const hostile =
      f.hostileText !== undefined && faultApplies(f, '/oauth/v1/authorize')
        ? f.hostileText === true
          ? HOSTILE_TEXT
          : f.hostileText
        : undefined;
    return this.redirectWith(req, {
      error: 'access_denied',
      error_description: hostile ?? description,
    });
  }

  /**
   * The user completes the enrolment page: Duo Mobile is added (the user is created when Duo did
   * not know the name, unless the Free-plan limit is reached) and the login goes through.
   */
  enrollAndApprove(req: AuthRequest): string {
    const { users } = this.ctx;
    let found = users.resolve(req.sentName);
    if (!found) {
      if (users.atLimit) return this.denyRedirect(req, freePlanMessage(users.maxUsers));
      users.create({ username: req.sentName, devices: [{ name: 'Duo Mobile' }] });
      found = users.resolve(req.sentName)!;
    } else {
      users.addDevice(found.user.username, { name: 'Duo Mobile' });
    }
    return this.approve(req, found.user, found.matchedBy);
  }

  /** `redirect_uri?duo_code=…&state=…` (or `code=`), for an approved login. */
  approve(
    req: AuthRequest,
    user: EmulatorUser,
    matchedBy: 'username' | 'alias',
    bypass = false,
  ): string {
    this.ctx.users.recordSuccess(user);
    return this.issueCode(req, user, matchedBy, {
      result: 'allow',
      status: 'allow',
      status_msg: bypass ? 'Bypass user: logging you in' : 'Login Successful',
    });
  }
}
