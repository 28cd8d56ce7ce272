// The security-key pages over HTTP, without a browser: the script asset's headers, the page's
// CSP and inert options, and what a tampered form post gets (WA-21).
import { testUser } from '@factorkit/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { mergeCatalogs } from '../src/pages/locale.js';
import { webauthnAsset } from '../src/pages/webauthn-asset.js';
import { directRig } from './direct-rig.js';
import { expressRig } from './express-rig.js';
import { fastifyRig } from './fastify-rig.js';
import { csrfOf, postForm } from './pages-kit.js';
import type { Client } from './rig.js';
import { webauthnRig, type WebauthnRig } from './webauthn-rig.js';

let rig: WebauthnRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

/** A pending session of a user without a factor, on the security-key registration page. */
async function onRegistrationPage(displayName = 'Ada') {
  rig = await webauthnRig();
  const client = rig.client();
  await client.login(testUser({ audience: 'client', displayName }));
  const chooser = await (await client.get('/2fa/')).text();
  const begun = await postForm(client, '/2fa/page/enroll/webauthn', { _csrf: csrfOf(chooser) });
  expect(begun.status).toBe(303);
  const page = await client.get('/2fa/');
  return { client, page, html: await page.text() };
}

const scriptPath = `/2fa${webauthnAsset().path}`;

async function answer(client: Client, html: string, credential: string): Promise<string> {
  const posted = await postForm(client, '/2fa/page/enroll/answer', {
    _csrf: csrfOf(html),
    credential,
  });
  expect(posted.status).toBe(303);
  return (await client.get('/2fa/')).text();
}

const alertOf = (html: string) => /<p id="form-error" role="alert">([^<]*)<\/p>/.exec(html)?.[1];

describe('security-key pages over HTTP', () => {
  it('WA-21: the script is one content-hashed file, cacheable and typed, the only 2FA response without no-store', async () => {
    rig = await webauthnRig();
    // No session at all: a static file, the same for everyone.
    const res = await fetch(`${rig.origin}${scriptPath}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('pragma')).toBeNull();
    const body = await res.text();
    expect(body).toContain('[@simplewebauthn/browser@14.0.0]');
    expect(body).toContain("getElementById('webauthn-options')");
    expect(scriptPath).toMatch(/^\/2fa\/assets\/webauthn-[0-9a-f]{20}\.js$/);

    const etag = res.headers.get('etag')!;
    const again = await fetch(`${rig.origin}${scriptPath}`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const posted = await fetch(`${rig.origin}${scriptPath}`, { method: 'POST' });
    expect(posted.status).toBe(405);
    expect(posted.headers.get('allow')).toBe('GET, HEAD');
    expect(posted.headers.get('cache-control')).toBe('no-store');
    // Another digest is no file: nothing else under /assets is served, and nothing is cached.
    const other = await fetch(`${rig.origin}/2fa/assets/webauthn-${'0'.repeat(20)}.js`);
    expect(other.status).toBe(404);
    expect(other.headers.get('cache-control')).toBe('no-store');
  });

  it('WA-21: the page loads that script with its nonce, the CSP stays nonce-only, and the page itself is no-store', async () => {
    const { page, html } = await onRegistrationPage();
    const csp = page.headers.get('content-security-policy')!;
    const directives = new Map(
      csp.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name!, values];
      }),
    );
    const nonce = /^'nonce-([^']+)'$/.exec(directives.get('script-src')?.[0] ?? '')?.[1];
    expect(nonce).toBeDefined();
    // Only this response's nonce may run a script: no 'self', no inline, no host.
    expect(directives.get('script-src')).toEqual([`'nonce-${nonce}'`]);
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(html).toContain(`<script src="${scriptPath}" nonce="${nonce}"></script>`);
    // Every script element is the inert options, or carries the nonce.
    const scripts = html.match(/<script[^>]*>/g) ?? [];
    expect(scripts).toHaveLength(2);
    for (const tag of scripts)
      expect(
        tag === '<script type="application/json" id="webauthn-options">' ||
          tag.includes(`nonce="${nonce}"`),
      ).toBe(true);
    expect(html).toContain('<label for="key-label">Name of this key</label>');
    expect(html).toContain('<input type="hidden" name="credential" value="">');
  });

  it('WA-21: a user name that closes the script element stays data inside the options', async () => {
    const evil = '</script><script>alert(1)</script><!--';
    const { html } = await onRegistrationPage(evil);
    expect(html).not.toContain(evil);
    const text = /<script type="application\/json" id="webauthn-options">([^<]*)<\/script>/.exec(
      html,
    )?.[1];
    const options = JSON.parse(text!) as { user: { displayName: string } };
    expect(options.user.displayName).toBe(evil);
  });

  it('WA-21 FL-12: a credential that is not a JSON object is a 400 flash on the same page, never a 500; a forged one is refused as a key', async () => {
    const { client, html } = await onRegistrationPage();
    for (const bad of ['{not json', '"a string"', '[1,2]', 'null']) {
      const next = await answer(client, html, bad);
      expect(alertOf(next)).toBe('The form was not filled in correctly.');
      expect(next).toContain('<h1>Set up your security key</h1>');
    }
    const forged = JSON.stringify({ id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: {} });
    const next = await answer(client, html, forged);
    expect(alertOf(next)).toBe(
      'Your security key was not accepted. Try again, or choose another method.',
    );
    expect(rig!.errors).toEqual([]);
    expect(rig!.signedIn).toEqual([]);
    // A key name core refuses is a flash before the key's answer is looked at: the same page,
    // with the same registration to retry.
    const named = await postForm(client, '/2fa/page/enroll/answer', {
      _csrf: csrfOf(html),
      credential: forged,
      label: 'Blue\u0007key',
    });
    expect(named.status).toBe(303);
    const renamed = await (await client.get('/2fa/')).text();
    expect(alertOf(renamed)).toBe('That input is not valid.');
    expect(renamed).toContain('<h1>Set up your security key</h1>');
    // Without the form's CSRF field the answer is refused before anything is read.
    const noToken = await postForm(client, '/2fa/page/enroll/answer', { credential: forged });
    expect(noToken.status).toBe(403);
  });

  it('a host overrides one security-key message; the rest of that language stays', () => {
    const catalogs = mergeCatalogs({ de: { webauthn: { button: 'Schlüssel benutzen' } } });
    const german = catalogs.get('de')!.webauthn;
    expect(german.button).toBe('Schlüssel benutzen');
    expect(german.retry).toBe('Erneut versuchen');
    expect(catalogs.get('en')!.webauthn.button).toBe('Use security key');
  });

  it.each([
    ['the fetch handler', directRig],
    ['Express', expressRig],
    ['Fastify', fastifyRig],
  ])('WA-21: %s serves the script with its own headers, untouched', async (_name, make) => {
    const host = await make({ pages: {} });
    try {
      const res = await host.client().get(scriptPath);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(webauthnAsset().body);
    } finally {
      await host.close();
    }
  });
});
