// The demo portal under load on loopback: whole logins per second with password + TOTP against
// password-only logins (lib/portal-logins.mjs says which requests each includes), by
// autocannon with a few connections, each a browser signing in again and again, bounded in
// time and in count. Rounds alternate the two kinds on one running portal, so noise on this
// shared machine lands on both. Two rows:
//   - bench users whose passwords are stored with the cheapest scrypt the portal accepts: what
//     the second step costs next to the rest of a login (pages, CSRF, sessions, SQLite);
//   - the same users with the portal's own scrypt (N=2^14, r=8, p=5, about 0.2 s of a core per
//     check): what an operator sees, where password hashing dominates.
// Every login uses another user's fresh code: the portal's clock (PORTAL_CLOCK_OFFSET_FILE, the
// setting its tests use to move time) steps one TOTP period each time every user has signed in
// once, so no code is a replay (the portal then stats that file at each clock read, in both
// kinds of login alike). The per-address limits (the portal's failed-login limit, web's 300
// requests a minute on the 2FA routes) stay on: every login comes from its own address through
// a trusted loopback proxy (PORTAL_TRUSTED_PROXIES), as many clients behind a proxy would. The
// bench adds its users to the portal's database (lib/portal-users.mjs); nothing in the portal
// is switched for the benchmark.
import { median } from '../lib/paired.mjs';
import { measureLogins } from '../lib/portal-logins.mjs';
import { startPortal } from '../lib/portal-process.mjs';
import { CHEAP_HASH, createUsers, enrollTotp, usePortalHashes } from '../lib/portal-users.mjs';

const STEP_MS = 30_000;
const CONNECTIONS = 6;
const ROWS = {
  cheap: {
    id: 'portal.login.totp-vs-password',
    title: 'portal logins/s, password + TOTP vs password only (cheap hash)',
  },
  scrypt: {
    id: 'portal.login.totp-vs-password.scrypt',
    title: "portal logins/s, password + TOTP vs password only (portal's scrypt)",
  },
};

/** Hands out TOTP users in turn; a new round of all of them moves the portal to a new step. */
function totpPicker(portal, users, firstStep) {
  let n = 0;
  let cycle = -1;
  return {
    next() {
      const c = Math.floor(n / users.length);
      if (c !== cycle) {
        cycle = c;
        portal.setStep(firstStep + c);
      }
      const user = users[n++ % users.length];
      return { user, stepMs: (firstStep + c) * STEP_MS + STEP_MS / 2 };
    },
    /** The next login starts a new step (a round's unfinished logins may have spent a code). */
    freshStep() {
      n = Math.ceil(n / users.length) * users.length;
    },
  };
}

function roundRobin(users) {
  let n = 0;
  return { next: () => ({ user: users[n++ % users.length] }), freshStep() {} };
}

/** Enrolls a few users at a time (each is a handful of page loads). */
async function enrollAll(url, users) {
  const out = [];
  for (let i = 0; i < users.length; i += 4)
    out.push(...(await Promise.all(users.slice(i, i + 4).map((u) => enrollTotp(url, u)))));
  return out;
}

async function compareKinds(b, portal, pickers, { id, title, seconds, rounds, hash, settleMs }) {
  const warmSeconds = b.quick ? 0.5 : 1;
  const run = async (kind, secs = seconds) => {
    pickers[kind].freshStep();
    const cpu0 = portal.cpuMs();
    const result = await measureLogins({
      url: portal.url,
      kind,
      picker: pickers[kind],
      connections: CONNECTIONS,
      seconds: secs,
      maxLogins: 2000,
    });
    const cpu = portal.cpuMs() - cpu0;
    // Per login at the measured rate (the run's CPU also went into logins cut off at the end).
    result.cpuMsPerLogin =
      Number.isNaN(cpu) || result.rate === 0 ? undefined : cpu / (result.rate * result.seconds);
    // autocannon drops its connections when time is up, but the portal finishes the requests
    // it has: let them end, so they do not crowd the next run (the portal refuses a ninth
    // password check at once).
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    return result;
  };
  // Warm-up (discarded): both paths through the portal's optimising compiler.
  await run('password', warmSeconds);
  await run('totp', warmSeconds);
  const password = [];
  const totp = [];
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      password.push(await run('password'));
      totp.push(await run('totp'));
    } else {
      totp.push(await run('totp'));
      password.push(await run('password'));
    }
  }
  const all = [...password, ...totp];
  const sum = (key) => all.reduce((s, x) => s + x[key], 0);
  const ratios = totp.map((t, i) => t.rate / password[i].rate);
  const cpu = (xs) => median(xs.map((x) => x.cpuMsPerLogin ?? NaN)).toFixed(1);
  const cpuNote = Number.isNaN(password[0].cpuMsPerLogin ?? NaN)
    ? ''
    : `; portal CPU per login ${cpu(totp)} ms (TOTP), ${cpu(password)} ms (password only)`;
  const problems = ['failed', 'errors', 'timeouts']
    .map((k) => (sum(k) > 0 ? `${sum(k)} ${k}` : ''))
    .filter(Boolean);
  b.record({
    id,
    title,
    value: median(totp.map((x) => x.rate)),
    unit: 'logins/s',
    baselineValue: median(password.map((x) => x.rate)),
    baseline: 'password only',
    note:
      `${hash}; ${CONNECTIONS} connections, ${rounds} rounds of ${seconds} s per kind; ` +
      `password only = GET /login + POST /login (2 requests), password + TOTP = those + the ` +
      `chooser, begin, the code page and the code (6 requests), each ending at the redirect ` +
      `that signs in; per-round ratios ${ratios.map((x) => x.toFixed(2)).join(', ')}; ` +
      `${sum('logins')} logins${cpuNote}; ` +
      `logins finished over run time (undercounting the cut-off ones) ` +
      `${median(totp.map((x) => x.finishedRate)).toFixed(1)}/s (TOTP), ` +
      `${median(password.map((x) => x.finishedRate)).toFixed(1)}/s (password only)` +
      (problems.length > 0 ? `; ${problems.join(', ')}` : '') +
      (all.some((x) => x.firstFailure)
        ? ` (first: ${all.find((x) => x.firstFailure).firstFailure})`
        : '') +
      '; autocannon runs on the same 2 cores as the portal',
  });
}

export default {
  id: 'portal',
  async run(b) {
    let portal;
    try {
      portal = await startPortal();
    } catch (err) {
      // Not built, or a native module (better-sqlite3) missing: say so in the table.
      const lines = String(err.message)
        .split('\n')
        .filter((l) => l.trim() !== '');
      const reason = `the portal did not start: ${lines.slice(0, 2).join(' ')}`;
      for (const row of Object.values(ROWS)) b.skip({ ...row, reason });
      return;
    }
    try {
      const users = {
        password: await createUsers(portal.dataDir, 'password', 8),
        totp: await createUsers(portal.dataDir, 'totp', b.quick ? 24 : 64),
      };
      users.totp = await enrollAll(portal.url, users.totp);
      const firstStep = Math.max(...users.totp.map((u) => u.enrolledAtStep)) + 1;
      const pickers = {
        password: roundRobin(users.password),
        totp: totpPicker(portal, users.totp, firstStep),
      };
      await compareKinds(b, portal, pickers, {
        ...ROWS.cheap,
        hash: `passwords stored with scrypt N=${CHEAP_HASH.N}, r=${CHEAP_HASH.r}, p=${CHEAP_HASH.p}`,
        settleMs: 200,
        ...(b.quick ? { seconds: 2, rounds: 1 } : { seconds: 6, rounds: 5 }),
      });
      await usePortalHashes(portal.dataDir, [...users.password, ...users.totp]);
      await compareKinds(b, portal, pickers, {
        ...ROWS.scrypt,
        hash: "passwords stored with the portal's scrypt (N=2^14, r=8, p=5)",
        settleMs: 1000,
        // A login takes about a second here: longer runs, so the logins cut off at the end
        // (not counted) are a small part of each.
        ...(b.quick ? { seconds: 2.5, rounds: 1 } : { seconds: 10, rounds: 3 }),
      });
    } finally {
      await portal.stop();
    }
  },
};
