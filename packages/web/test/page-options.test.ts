/**
 * The page options that become a `Location` or a link are paths on this site only (DU-06: no
 * open redirect), checked when the handler is built, so a bad one fails at start and never after
 * a session was signed in.
 */
import { describe, expect, it } from 'vitest';
import { resolvePages } from '../src/pages/page-routes.js';

describe('page options', () => {
  it.each([
    '//evil.example/',
    '/\\evil.example/',
    'https://evil.example/',
    'javascript:alert(1)',
    'account',
    '/ok\r\nSet-Cookie: sid=attacker',
    '/tab\there',
  ])('DU-06: %j is refused for afterSignIn, signInUrl and signOutUrl', (bad) => {
    for (const option of ['afterSignIn', 'signInUrl', 'signOutUrl'] as const)
      expect(() => resolvePages({ [option]: bad }, '/2fa'), option).toThrow(
        new RegExp(`pages\\.${option} must be a path on this site`),
      );
  });

  it('DU-06: paths on this site are kept as given, query included', () => {
    const pages = resolvePages(
      { afterSignIn: '/account', signInUrl: '/login?next=%2F2fa%2F', signOutUrl: '/logout' },
      '/2fa',
    );
    expect(pages).toMatchObject({
      afterSignIn: '/account',
      signInUrl: '/login?next=%2F2fa%2F',
      signOutUrl: '/logout',
    });
    expect(resolvePages({}, '/2fa')).toMatchObject({ afterSignIn: '/', signInUrl: '/' });
    expect(resolvePages({}, '/2fa').signOutUrl).toBeUndefined();
  });
});
