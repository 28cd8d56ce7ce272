import Negotiator from 'negotiator';
import { InvalidArgumentError } from '@factorkit/core';
import {
  BUILT_IN_CATALOGS,
  ENGLISH,
  fill,
  type Catalog,
  type CatalogOverride,
} from './catalogs.js';
import type { PageFlash } from './options.js';

/** The built-in catalogs with the host's additions and overrides laid over them. */
export function mergeCatalogs(
  extra: Readonly<Record<string, CatalogOverride>> = {},
): Map<string, Catalog> {
  const out = new Map<string, Catalog>(Object.entries(BUILT_IN_CATALOGS));
  for (const [tag, override] of Object.entries(extra)) {
    if (!/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(tag))
      throw new InvalidArgumentError(`pages.locales: "${tag}" is not a language tag like "fr".`);
    const under = out.get(tag) ?? ENGLISH;
    out.set(tag, {
      ...under,
      ...override,
      providers: { ...under.providers, ...override.providers },
      errors: { ...under.errors, ...override.errors },
      webauthn: { ...under.webauthn, ...override.webauthn },
      account: {
        ...under.account,
        ...override.account,
        notices: { ...under.account.notices, ...override.account?.notices },
        events: { ...under.account.events, ...override.account?.events },
      },
    });
  }
  return out;
}

/** The catalog the request's Accept-Language prefers among those there are, else English. */
export function negotiatedLocale(catalogs: ReadonlyMap<string, Catalog>) {
  const tags = [...catalogs.keys()];
  return (request: Request): string => {
    const header = request.headers.get('accept-language') ?? '';
    return new Negotiator({ headers: { 'accept-language': header } }).language(tags) ?? 'en';
  };
}

/** "Try again in 3 minutes." below an hour, "Try again at 10:42 UTC." beyond. */
export function retryText(
  flash: PageFlash,
  catalog: Catalog,
  locale: string,
  now: number,
  timeZone: string,
): string | undefined {
  const seconds = flash.retryAfter;
  if (seconds === undefined) return undefined;
  if (seconds === null) return catalog.retryNever;
  if (seconds < 3600) {
    const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
    const time =
      seconds < 60
        ? relative.format(Math.max(1, Math.ceil(seconds)), 'second')
        : relative.format(Math.ceil(seconds / 60), 'minute');
    return fill(catalog.retryIn, { time });
  }
  const time = new Intl.DateTimeFormat(locale, {
    hour: '2-digit',
    minute: '2-digit',
    timeZone,
    timeZoneName: 'short',
    ...(seconds > 20 * 3600 ? { day: 'numeric', month: 'long' } : {}),
  }).format(new Date(now + seconds * 1000));
  return fill(catalog.retryAt, { time });
}
