/**
 * PT-04: who a request is signed in as comes from factorkit's state of its session id, never
 * from the portal's own `userId` field. A login on a session that already named another user
 * copies that field to the new id for a moment (the race an attack review found on PostgreSQL:
 * the admin's password, then a client's, and a request in between reached the admin area as the
 * admin). Here the session field names the admin while factorkit's state is the client's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostSession } from '@factorkit/web';
import type { Request, Response } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireRole } from '../src/http/guards.js';
import { signedInUser } from '../src/http/login.js';
import { readSettings } from '../src/settings.js';
import { startPortal, type RunningPortal } from '../src/start.js';
import { twoFactorUser } from '../src/users/user-store.js';

describe('the signed-in user is factorkit’s, not the session field’s (PT-04)', () => {
  let dataDir: string;
  let running: RunningPortal;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'portal-unit-'));
    running = await startPortal(
      readSettings({ PORTAL_DATA_DIR: dataDir, PORTAL_NO_EMULATORS: '1' }),
      3999,
    );
  }, 60_000);
  afterAll(async () => {
    await running?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A request whose session id has the client signed in, and whose own field names `userId`. */
  async function requestWithStaleField(userId: string | undefined): Promise<Request> {
    const { portal } = running;
    const client = (await portal.users.byEmail('client2@example.com'))!;
    let id = 'session-before';
    const session: HostSession = {
      get id() {
        return id;
      },
      rotateId: async () => {
        id = 'session-after';
      },
    };
    const build = await portal.live.current();
    const started = await build.secondStep.beginSecondStep(session, twoFactorUser(client));
    expect(started.authenticated).toBe(true); // no factor, 2FA not forced: signed in at once
    return { sessionID: id, session: { userId } } as unknown as Request;
  }

  it('a session field naming the admin does not make the client an admin', async () => {
    const admin = (await running.portal.users.byEmail('admin@example.com'))!;
    const req = await requestWithStaleField(admin.id);
    const user = await signedInUser(running.portal, req);
    expect(user?.email).toBe('client2@example.com');

    let status = 0;
    let passed: unknown = 'not called';
    const res = {
      locals: {},
      status(code: number) {
        status = code;
        return this;
      },
      type() {
        return this;
      },
      send() {
        return this;
      },
      redirect(code: number) {
        status = code;
      },
    } as unknown as Response;
    await new Promise<void>((resolve) => {
      requireRole(running.portal, 'admin')(req, res, (arg?: unknown) => {
        passed = arg;
        resolve();
      });
      setTimeout(resolve, 2000);
    });
    // The admin router is left for the site's 404 page ('router'); its pages never run.
    expect(passed).toBe('router');
    expect(status).toBe(0);
  });

  it('a session with no factorkit state is nobody, whatever its field says', async () => {
    const admin = (await running.portal.users.byEmail('admin@example.com'))!;
    const req = {
      sessionID: 'never-signed-in',
      session: { userId: admin.id },
    } as unknown as Request;
    expect(await signedInUser(running.portal, req)).toBeUndefined();
  });
});
