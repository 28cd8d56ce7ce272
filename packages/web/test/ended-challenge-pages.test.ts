// A refusal that also ended the challenge (RP-01: a replayed code takes the step and core does
// not put it back) must not leave the pages showing the dead code form, whose next answer could
// only fail with "This step has ended". The chooser comes back with the reason instead; a wrong
// code, after which the challenge stays open, keeps the code form.
import { describe, expect, it } from 'vitest';
import { directRig } from './direct-rig.js';
import { beginPageChallenge, csrfOf, labelledUser, postForm } from './pages-kit.js';
import { useRig } from './suite-kit.js';

const open = useRig(directRig);
const withPages = () => open({ pages: { afterSignIn: '/home', signOutUrl: '/logout' } });

describe('pages after a refused answer', () => {
  it('RP-01: a replayed code shows the factors again with the reason; a new challenge then signs in', async () => {
    const r = await withPages();
    const e = await labelledUser(r, 'phone');
    const first = r.client();
    await first.login(e.user);
    const code = e.code();
    let html = await beginPageChallenge(first);
    const ok = await postForm(first, '/2fa/page/challenge/answer', { _csrf: csrfOf(html), code });
    expect(ok.headers.get('location')).toBe('/home');

    const second = r.client();
    await second.login(e.user);
    html = await beginPageChallenge(second);
    const replay = await postForm(second, '/2fa/page/challenge/answer', {
      _csrf: csrfOf(html),
      code,
    });
    expect(replay.headers.get('location')).toBe('/2fa/');
    const shown = await (await second.get('/2fa/')).text();
    expect(shown).toContain('That code was already used.');
    expect(shown).toContain('name="enrollmentId"');
    expect(shown).not.toContain('id="code"');

    r.clock.advance(30_000);
    html = await beginPageChallenge(second);
    const signed = await postForm(second, '/2fa/page/challenge/answer', {
      _csrf: csrfOf(html),
      code: e.code(),
    });
    expect(signed.headers.get('location')).toBe('/home');
  });

  it('a wrong code keeps the open challenge and its code form', async () => {
    const r = await withPages();
    const e = await labelledUser(r, 'phone');
    const c = r.client();
    await c.login(e.user);
    const html = await beginPageChallenge(c);
    await postForm(c, '/2fa/page/challenge/answer', {
      _csrf: csrfOf(html),
      code: e.code() === '000000' ? '111111' : '000000',
    });
    const shown = await (await c.get('/2fa/')).text();
    expect(shown).toContain('id="code"');
    expect(shown).not.toContain('name="enrollmentId"');
  });
});
