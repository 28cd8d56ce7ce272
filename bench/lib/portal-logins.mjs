// Whole logins against the running portal with autocannon, each connection one browser after
// another: the requests a browser sends from the sign-in page to the redirect into the client
// area, with a fresh cookie jar per login (autocannon resets a connection's context each time
// it starts the sequence again). A login counts only when its last answer is the redirect that
// signs the person in; any other answer ends that login and starts a new one.
//   password only:     GET /login, POST /login (303 to /client)
//   password + TOTP:   GET /login, POST /login (303 to /2fa/), GET /2fa/ (the chooser),
//                      POST /2fa/page/challenge (303 to /2fa/), GET /2fa/ (the code page),
//                      POST /2fa/page/challenge/answer with the app's code (303 to /)
import autocannon from 'autocannon';
import { nextAddress } from './portal-process.mjs';

function header(headers, name) {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

function keepCookies(context, headers) {
  const set = header(headers, 'set-cookie');
  for (const c of set === undefined ? [] : [set].flat()) {
    const pair = c.split(';')[0];
    const eq = pair.indexOf('=');
    context.jar = { ...context.jar, [pair.slice(0, eq)]: pair.slice(eq + 1) };
  }
}

const cookieOf = (context) =>
  Object.entries(context.jar ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');

const FORM = 'application/x-www-form-urlencoded';

/**
 * A request of the sequence: `form(context)` builds its body, `check` judges its answer; a
 * wrong answer counts a failed login and restarts the sequence, the right answer to the `last`
 * request counts a login.
 */
function step(tally, { method, path, form, check, last = false }) {
  return {
    method,
    path,
    setupRequest(req, context) {
      if (context.broken) return undefined; // restart with the next login
      const headers = {
        ...req.headers,
        cookie: cookieOf(context),
        'x-forwarded-for': context.address,
      };
      if (!form) return { ...req, method, path, headers };
      return {
        ...req,
        method,
        path,
        headers: { ...headers, 'content-type': FORM },
        body: new URLSearchParams(form(context)).toString(),
      };
    },
    onResponse(status, body, context, headers) {
      keepCookies(context, headers);
      const location = header(headers, 'location');
      if (check(status, body ?? '', context, location)) {
        if (last) {
          tally.logins++;
          tally.loginMs += performance.now() - context.startedAt;
        }
        return;
      }
      context.broken = true;
      tally.failed++;
      tally.firstFailure ??= `${method} ${path}: ${status}${location ? ` to ${location}` : ''}`;
    },
  };
}

/** A page with a form: keeps its CSRF token for the next post. */
function formPage(status, body, context) {
  context.csrf = /name="_csrf" value="([^"]+)"/.exec(body)?.[1];
  return status === 200 && context.csrf !== undefined;
}

const redirect = (to) => (status, _body, _context, location) => status === 303 && location === to;

/**
 * The request sequences; `picker.next()` hands each new login its user (and, for TOTP, the
 * time step its code must be of), `tally` counts logins that got through and those that did not.
 */
export function loginRequests(kind, picker, tally) {
  const signInPage = step(tally, { method: 'GET', path: '/login', check: formPage });
  const requests = [
    {
      ...signInPage,
      // A new login: a new user and address, and no cookie (the context was just reset).
      setupRequest(req, context) {
        Object.assign(context, picker.next(), {
          address: nextAddress(),
          startedAt: performance.now(),
        });
        const headers = { ...req.headers, 'x-forwarded-for': context.address };
        return { ...req, method: 'GET', path: '/login', headers };
      },
    },
    step(tally, {
      method: 'POST',
      path: '/login',
      form: (c) => ({ _csrf: c.csrf, email: c.user.email, password: c.user.password }),
      check: redirect(kind === 'totp' ? '/2fa/' : '/client'),
      last: kind === 'password',
    }),
  ];
  if (kind === 'password') return requests;
  return [
    ...requests,
    step(tally, {
      method: 'GET',
      path: '/2fa/',
      check: (status, body, context) => {
        context.enrollmentId = /name="enrollmentId" value="([^"]+)"/.exec(body)?.[1];
        return formPage(status, body, context) && context.enrollmentId !== undefined;
      },
    }),
    step(tally, {
      method: 'POST',
      path: '/2fa/page/challenge',
      form: (c) => ({ _csrf: c.csrf, enrollmentId: c.enrollmentId }),
      check: redirect('/2fa/'),
    }),
    step(tally, {
      method: 'GET',
      path: '/2fa/',
      check: (status, body, context) =>
        formPage(status, body, context) && body.includes('name="code"'),
    }),
    step(tally, {
      method: 'POST',
      path: '/2fa/page/challenge/answer',
      form: (c) => ({ _csrf: c.csrf, code: c.user.app.generate({ timestamp: c.stepMs }) }),
      check: redirect('/'),
      last: true,
    }),
  ];
}

/**
 * Runs logins of one kind for `seconds` (and at most `maxLogins` per connection): logins per
 * second, with what autocannon saw go wrong on the wire. The rate is the connections over the
 * mean time of a whole login (Little's law: each connection starts its next login as soon as
 * one ends), rather than the logins finished over the run's time, which undercounts by the
 * logins cut off when time is up: about half a login per connection, a lot when a login takes
 * a second of a few-second run. `finishedRate` is that plain count, for comparison.
 */
export async function measureLogins({ url, kind, picker, connections, seconds, maxLogins }) {
  const tally = { logins: 0, loginMs: 0, failed: 0 };
  const requests = loginRequests(kind, picker, tally);
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    maxConnectionRequests: requests.length * maxLogins,
    requests,
    timeout: 10,
  });
  return {
    rate: tally.logins > 0 ? connections / (tally.loginMs / tally.logins / 1000) : 0,
    finishedRate: tally.logins / result.duration,
    logins: tally.logins,
    failed: tally.failed,
    firstFailure: tally.firstFailure,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds: result.duration,
  };
}
