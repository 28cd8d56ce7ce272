/**
 * The portal's page frame: one layout for its own pages and for factorkit's second-step pages
 * (through the web package's `templates.layout`), so a person sees one site. Every value is
 * escaped here or by the caller with `e`; the only raw HTML passed in is already-built markup.
 */
import escape from 'escape-html';
import { DEFAULT_STYLE } from '@factorkit/web';
import type { Response } from 'express';

export const e = (value: string | number | undefined | null): string =>
  escape(value === undefined || value === null ? '' : String(value));

export const SITE_NAME = 'Example Billing';

const PORTAL_STYLE = `${DEFAULT_STYLE}
body{max-width:56rem}header.site{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;border-bottom:1px solid #ccc;padding-bottom:.5rem;margin-bottom:1rem}
header.site .brand{font-weight:700;margin-right:auto}nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:1rem;margin:0;padding:0}
.demo{background:#fff4ce;border-left:4px solid #c88a00;padding:.5rem;margin:0 0 1rem}
.notice{border-left:4px solid #26a269;padding:.5rem;background:#e9f7ef}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.35rem;text-align:left;vertical-align:top}
fieldset{border:1px solid #ccc;margin-top:1rem}legend{font-weight:700}
.field-error{color:#a51d2d;margin:.25rem 0 0}select,textarea{font:inherit;padding:.4rem;width:100%;box-sizing:border-box}
.inline{display:inline}.inline button{margin-top:0}.secondary{background:#5e5c64}.danger{background:#a51d2d}
.hint{color:#555;font-size:.9rem;margin:.25rem 0 0}`;

export interface NavLink {
  href: string;
  label: string;
}

export interface FrameOptions {
  title: string;
  lang?: string;
  nonce: string;
  main: string;
  nav?: readonly NavLink[];
  /** Who is signed in, and the sign-out form's CSRF token. */
  signedIn?: { name: string; csrf: string };
  /** factorkit's pages have no CSRF token of the portal: they link to the sign-out page. */
  signOutUrl?: string;
  /** Shown on every page while the Duo emulator and offline YubiCloud stand in for the real ones. */
  demoNotice?: string;
  /** The current path, to mark the nav link `aria-current`. */
  path?: string;
}

export function frame(o: FrameOptions): string {
  const nav =
    o.nav && o.nav.length > 0
      ? `<nav aria-label="Main"><ul>${o.nav
          .map(
            (l) =>
              `<li><a href="${e(l.href)}"${o.path === l.href ? ' aria-current="page"' : ''}>${e(l.label)}</a></li>`,
          )
          .join('')}</ul></nav>`
      : '';
  const who = o.signedIn
    ? `<form class="inline" method="post" action="/logout"><input type="hidden" name="_csrf" value="${e(o.signedIn.csrf)}"><span>${e(o.signedIn.name)}</span> <button type="submit" class="secondary">Sign out</button></form>`
    : o.signOutUrl
      ? `<a href="${e(o.signOutUrl)}">Sign out</a>`
      : '';
  // The notice is shown exactly while a stand-in runs, which is when the demo devices page exists.
  const demo = o.demoNotice
    ? `<p class="demo" role="note">${e(o.demoNotice)} <a href="/demo/devices">Demo devices: touch the YubiKey, answer Duo</a></p>`
    : '';
  return (
    `<!doctype html><html lang="${e(o.lang ?? 'en')}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${e(o.title)} · ${e(SITE_NAME)}</title><style nonce="${e(o.nonce)}">${PORTAL_STYLE}</style></head>` +
    `<body><header class="site"><span class="brand">${e(SITE_NAME)}</span>${nav}${who}</header>` +
    `${demo}<main>${o.main}</main></body></html>`
  );
}

/** Sends a portal page; the nonce comes from the security headers middleware. */
export function sendPage(res: Response, status: number, html: string): void {
  res.status(status).type('html').send(html);
}

/** A field's error paragraph and the attributes tying the input to it. */
export function fieldError(
  id: string,
  message: string | undefined,
): { attrs: string; html: string } {
  if (message === undefined) return { attrs: '', html: '' };
  return {
    attrs: ` aria-invalid="true" aria-describedby="${e(id)}-error"`,
    html: `<p class="field-error" id="${e(id)}-error">${e(message)}</p>`,
  };
}
