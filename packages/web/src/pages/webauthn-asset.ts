import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { WEBAUTHN_GLUE } from './webauthn-glue.js';

/** A static script the pages load from the handler itself (`script-src` stays nonce-only). */
export interface PageAsset {
  /** The path below the handler's prefix, named by a digest of the content. */
  readonly path: string;
  readonly body: Uint8Array;
  /** A strong validator, the same digest. */
  readonly etag: string;
}

/**
 * @simplewebauthn/browser's own browser bundle (UMD, it sets `SimpleWebAuthnBrowser`), found
 * beside the package's entry point: the package exports no subpath for it.
 */
function libraryBundle(): string {
  const entry = createRequire(import.meta.url).resolve('@simplewebauthn/browser');
  const root = dirname(dirname(entry));
  return readFileSync(join(root, 'dist', 'bundle', 'index.umd.min.js'), 'utf8');
}

let cached: PageAsset | undefined;

/** The library's bundle and our glue as one script, read once per process. */
export function webauthnAsset(): PageAsset {
  if (cached !== undefined) return cached;
  const body = new TextEncoder().encode(`${libraryBundle()}\n${WEBAUTHN_GLUE}`);
  const digest = createHash('sha256').update(body).digest('hex').slice(0, 20);
  cached = { path: `/assets/webauthn-${digest}.js`, body, etag: `"${digest}"` };
  return cached;
}

/**
 * The one 2FA response a cache may keep: public code, no user data, and a name that changes with
 * the content, so it is `immutable` for a year. A matching `If-None-Match` gets a 304.
 */
export function assetResponse(asset: PageAsset, request: Request): Response {
  const headers = {
    'content-type': 'text/javascript; charset=utf-8',
    'cache-control': 'public, max-age=31536000, immutable',
    etag: asset.etag,
    'x-content-type-options': 'nosniff',
    'cross-origin-resource-policy': 'same-origin',
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    'referrer-policy': 'no-referrer',
  };
  if (request.headers.get('if-none-match') === asset.etag)
    return new Response(null, { status: 304, headers });
  const body = request.method === 'HEAD' ? null : asset.body;
  return new Response(body, {
    status: 200,
    headers: { ...headers, 'content-length': String(asset.body.byteLength) },
  });
}
