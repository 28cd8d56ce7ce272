// A page view clears the one-shot flash message, so it writes the session's state. A page loaded
// (or reloaded twice) while a sign-in post is on its way must not make that post fail with
// STATE_CHANGED: a flash-only write does not conflict, while FL-15 still refuses a write based
// on a state another request really changed. On the fetch handler and over both adapters.
import { describe, expect, it } from 'vitest';
import { directRig } from './direct-rig.js';
import { expressRig } from './express-rig.js';
import { fastifyRig } from './fastify-rig.js';
import { beginPageChallenge, csrfOf, postForm } from './pages-kit.js';
import { enrolledUser, type Rig } from './rig.js';
import { useRig } from './suite-kit.js';

const ROUNDS = 20;

/** A pending session at the code page, with a flash waiting (a wrong code was just posted). */
async function atCodePageWithFlash(r: Rig) {
  const e = await enrolledUser(r);
  const c = r.client();
  await c.login(e.user);
  const html = await beginPageChallenge(c);
  const csrf = csrfOf(html);
  const wrong = e.code() === '000000' ? '111111' : '000000';
  const refused = await postForm(c, '/2fa/page/challenge/answer', { _csrf: csrf, code: wrong });
  // Refused: back to the code page, where the flash waits for the next view.
  expect(refused.headers.get('location')).toBe('/2fa/');
  return { ...e, c, csrf };
}

describe.each([
  ['fetch handler', directRig],
  ['Express over HTTP', expressRig],
  ['Fastify over HTTP', fastifyRig],
])('a page view racing a sign-in post (%s)', (_name, make) => {
  const open = useRig(make);

  it(`FL-15: the form post with the right code lands every time, beside two page loads (${ROUNDS} rounds)`, async () => {
    const r = await open({ pages: { afterSignIn: '/home' } });
    for (let round = 0; round < ROUNDS; round++) {
      const { c, csrf, code } = await atCodePageWithFlash(r);
      const [post, ...views] = await Promise.all([
        postForm(c, '/2fa/page/challenge/answer', { _csrf: csrf, code: code() }),
        c.get('/2fa/'),
        c.get('/2fa/'),
      ]);
      expect(post.status, `round ${round}`).toBe(303);
      expect(post.headers.get('location'), `round ${round}`).toBe('/home');
      // A view that ran after the sign-in holds the old id: the sign-in page, never an error.
      for (const view of views) expect([200, 401], `round ${round}`).toContain(view.status);
      c.adopt(post);
      expect((await c.account()).status).toBe(200);
    }
    expect(r.signedIn).toHaveLength(ROUNDS);
    expect(r.errors).toEqual([]);
  });

  it(`FL-15: the JSON answer with the right code lands every time, beside a page load (${ROUNDS} rounds)`, async () => {
    const r = await open({ pages: { afterSignIn: '/home' } });
    for (let round = 0; round < ROUNDS; round++) {
      const { c, csrf, code } = await atCodePageWithFlash(r);
      const [post, view] = await Promise.all([
        c.post('/2fa/challenge/answer', { code: code() }, { csrf }),
        c.get('/2fa/'),
      ]);
      expect(post.status, `round ${round}`).toBe(200);
      expect([200, 401], `round ${round}`).toContain(view.status);
    }
    expect(r.signedIn).toHaveLength(ROUNDS);
  });

  it(`a page view racing a real change (a challenge begun from the chooser) is never an error (${ROUNDS} rounds)`, async () => {
    const r = await open({ pages: { afterSignIn: '/home' } });
    for (let round = 0; round < ROUNDS; round++) {
      const { c, csrf, code, user } = await atCodePageWithFlash(r);
      const enrollmentId = (await r.service.listEnrollments(user))[0]!.id;
      const [post, view] = await Promise.all([
        postForm(c, '/2fa/page/challenge', { _csrf: csrf, enrollmentId }),
        c.get('/2fa/'),
      ]);
      expect(post.status, `round ${round}`).toBe(303);
      expect(view.status, `round ${round}`).toBe(200);
      // The new challenge was kept: its code signs in.
      const html = await (await c.get('/2fa/')).text();
      expect(html).toContain('Enter your code');
      const done = await postForm(c, '/2fa/page/challenge/answer', { _csrf: csrf, code: code() });
      expect(done.headers.get('location'), `round ${round}`).toBe('/home');
    }
  });
});
