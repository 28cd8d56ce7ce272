/** What the page tests share: a user whose factor has a chosen label, and form posts. */
import type { Client, Rig } from './rig.js';
import { appFor, testUser } from './rig.js';

/** A user with TOTP enrolled under `label`, and the app that shows their codes. */
export async function labelledUser(rig: Rig, label: string) {
  const user = testUser({ audience: 'client' });
  const started = await rig.service.beginActivation(user, 'totp');
  const app = appFor(started.prompt);
  const done = await rig.service.completeActivation(
    started.activationId,
    user,
    app.generate({ timestamp: rig.clock.now() }),
    undefined,
    { label },
  );
  if (done.ok !== true) throw new Error('enrollment did not complete');
  rig.clock.advance(30_000);
  return { user, code: () => app.generate({ timestamp: rig.clock.now() }) };
}

/** The `_csrf` value of the first form on a page. */
export function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (m === null) throw new Error('no _csrf field on the page');
  return m[1]!;
}

/** A form post as a browser sends it (no CSRF header: a form cannot set one). */
export function postForm(
  c: Client,
  path: string,
  fields: Readonly<Record<string, string>>,
  headers: Readonly<Record<string, string>> = {},
): Promise<Response> {
  return c.post(path, new URLSearchParams(fields).toString(), {
    csrf: null,
    contentType: 'application/x-www-form-urlencoded',
    headers,
  });
}

/** Signs the session in through the pages: chooser, challenge, code. */
export async function beginPageChallenge(c: Client): Promise<string> {
  const chooser = await (await c.get('/2fa/')).text();
  const enrollmentId = /name="enrollmentId" value="([^"]+)"/.exec(chooser)?.[1];
  if (enrollmentId === undefined) throw new Error('no factor on the chooser');
  const begun = await postForm(c, '/2fa/page/challenge', { _csrf: csrfOf(chooser), enrollmentId });
  if (begun.status !== 303) throw new Error(`challenge not begun: ${begun.status}`);
  return (await c.get('/2fa/')).text();
}
