// Users for the portal suite: the portal makes only three demo users, so the bench adds its own
// to the portal's database through the portal's own modules (its settings, database and user
// store), and sets up an authenticator app for some of them through the portal's pages, as a
// person would. Their passwords are stored either with the portal's own scrypt (hashPassword)
// or with the cheapest scrypt the portal accepts: the stored form carries its parameters (so
// the portal can raise them later), which lets the bench take password hashing out of a login
// without any switch in the portal.
import { randomBytes, scrypt } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as OTPAuth from 'otpauth';
import { PORTAL_DIST, nextAddress } from './portal-process.mjs';

const load = (path) => import(pathToFileURL(join(PORTAL_DIST, path)).href);
let modules;
/** The portal's modules, loaded on first use (an unbuilt portal then fails in its own start). */
function portalModules() {
  modules ??= Promise.all(
    ['settings.js', 'db/database.js', 'users/user-store.js', 'users/passwords.js'].map(load),
  ).then((loaded) => Object.assign({}, ...loaded));
  return modules;
}

/** scrypt N=2^4, r=1, p=1 in the portal's stored form: microseconds to check, for benches only. */
export const CHEAP_HASH = { N: 16, r: 1, p: 1 };

// Hand-written rather than the portal's hashPassword, which always uses its production cost.
function cheapHash(password) {
  const salt = randomBytes(16);
  const { N, r, p } = CHEAP_HASH;
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, 32, { N, r, p }, (err, key) =>
      err
        ? reject(err)
        : resolve(`scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`),
    ),
  );
}

/** The portal's database, opened beside the running portal (SQLite in WAL mode allows it). */
async function withDatabase(dataDir, fn) {
  const { readSettings, openPortalDatabase } = await portalModules();
  const db = await openPortalDatabase(readSettings({ PORTAL_DATA_DIR: dataDir }));
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** Adds `count` client users named `bench-<group>-<i>@example.test`, with cheap hashes. */
export async function createUsers(dataDir, group, count) {
  const password = randomBytes(12).toString('base64url');
  const hash = await cheapHash(password);
  const { UserStore } = await portalModules();
  return withDatabase(dataDir, async (db) => {
    const store = new UserStore(db.db);
    const users = [];
    for (let i = 0; i < count; i++) {
      const email = `bench-${group}-${i}@example.test`;
      await store.create(
        { email, name: `Bench ${group} ${i}`, role: 'client', passwordHash: hash },
        Date.now(),
      );
      users.push({ email, password });
    }
    return users;
  });
}

/** Gives every bench user the portal's own password hash (N=2^14, r=8, p=5) of its password. */
export async function usePortalHashes(dataDir, users) {
  const { hashPassword } = await portalModules();
  const byPassword = new Map();
  for (const u of users) {
    // One hash per password (all users of a group share one): each login still checks it in full.
    if (!byPassword.has(u.password)) byPassword.set(u.password, await hashPassword(u.password));
  }
  await withDatabase(dataDir, async (db) => {
    for (const u of users)
      await db.db
        .updateTable('portal_users')
        .set({ password_hash: byPassword.get(u.password) })
        .where('email', '=', u.email)
        .execute();
  });
}

/** A browser of one: a cookie jar and the last page, over fetch, redirects not followed. */
export function pageClient(base) {
  const jar = new Map();
  const address = nextAddress();
  let page = '';
  let shown = '';
  const request = async (method, path, form) => {
    const r = await fetch(base + path, {
      method,
      redirect: 'manual',
      headers: {
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
        'x-forwarded-for': address,
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: form ? new URLSearchParams(form) : undefined,
    });
    for (const c of r.headers.getSetCookie()) {
      const pair = c.split(';')[0];
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    const text = await r.text();
    const location = r.headers.get('location');
    if (r.status === 303 && location) return request('GET', location);
    if (r.status !== 200) throw new Error(`${method} ${path}: ${r.status} ${text.slice(0, 200)}`);
    page = text;
    shown = path;
    return text;
  };
  return {
    get: (path) => request('GET', path),
    /** Posts a form with the CSRF token of the page shown last. */
    post: (path, fields) => request('POST', path, { _csrf: csrfToken(page), ...fields }),
    page: () => page,
    /** The path of the page shown last (after the redirects). */
    path: () => shown,
  };
}

export function csrfToken(html) {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF token on the page');
  return m[1];
}

/**
 * Signs `user` in with the password and adds an authenticator app in Security settings; returns
 * the app (its key read from the page) and the TOTP step of the code used to confirm it.
 */
export async function enrollTotp(base, user) {
  const browser = pageClient(base);
  await browser.get('/login');
  await browser.post('/login', { email: user.email, password: user.password });
  if (browser.path() !== '/client') throw new Error(`${user.email} could not sign in`);
  await browser.get('/2fa/account');
  const setup = await browser.post('/2fa/page/account/enroll/totp', {});
  const key = /id="manual-key">([^<]+)</.exec(setup)?.[1]?.replace(/\s+/g, '');
  if (!key) throw new Error(`no key on the set-up page for ${user.email}`);
  const app = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(key) });
  const step = app.counter();
  const done = await browser.post('/2fa/page/account/enroll/answer', { code: app.generate() });
  if (!done.includes('Save your recovery codes'))
    throw new Error(`the authenticator app was not accepted for ${user.email}`);
  return { ...user, app, enrolledAtStep: step };
}
