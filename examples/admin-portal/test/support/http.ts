/**
 * Requests outside the page with the browser profile's cookies: what a script holding the
 * session cookie, but maybe not the form's CSRF token, could send.
 */
import type { Page } from 'playwright-core';

export async function cookieHeader(page: Page, url: string): Promise<string> {
  const cookies = await page.context().cookies(url);
  return cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}

/** A urlencoded POST with the page's cookies; redirects are not followed. */
export async function postWithCookies(
  page: Page,
  url: string,
  path: string,
  body: Record<string, string>,
): Promise<Response> {
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie: await cookieHeader(page, url),
    },
    body: new URLSearchParams(body),
    redirect: 'manual',
  });
}
