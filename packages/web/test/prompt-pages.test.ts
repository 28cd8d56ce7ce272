// Each prompt kind's default page, rendered on its own: the kinds a TOTP-only rig never shows.
import type { ActivationPrompt } from '@factorkit/core';
import { describe, expect, it } from 'vitest';
import { ENGLISH, WebError } from '../src/index.js';
import { resolvePages } from '../src/pages/page-routes.js';
import { promptPage } from '../src/pages/prompt-page.js';

const pages = resolvePages({}, '/2fa');
const ctx = { lang: 'en', t: ENGLISH, nonce: 'abc', base: { lang: 'en', t: ENGLISH, csrf: 'tok' } };

async function render(prompt: ActivationPrompt): Promise<{ html: string; csp: string }> {
  const result = promptPage(pages, ctx, prompt, '/2fa/page/challenge/answer');
  if (!('response' in result)) throw new Error('not a page');
  return {
    html: await result.response.text(),
    csp: result.response.headers.get('content-security-policy')!,
  };
}

describe('prompt pages', () => {
  it('a redirect is a focused link the user follows, not a form post to another origin', async () => {
    const { html } = await render({ kind: 'redirect', url: 'https://duo.example/frame?a=1&b="2"' });
    expect(html).toContain(
      '<a class="button" href="https://duo.example/frame?a=1&amp;b=%222%22" autofocus>',
    );
    expect(html).not.toContain('<form');
  });

  it('a provider link that is not http(s) is never rendered', async () => {
    for (const url of ['javascript:alert(1)', 'data:text/html,x', 'not a url'])
      expect(() => promptPage(pages, ctx, { kind: 'redirect', url }, '/x')).toThrow(WebError);
    expect(() =>
      promptPage(pages, ctx, { kind: 'external-enrollment', url: 'javascript:alert(1)' }, '/x'),
    ).toThrow(WebError);
  });

  it('push-wait has a "Check again" form that works without script, and a nonce-bound re-check', async () => {
    const { html, csp } = await render({ kind: 'push-wait', pollIntervalMs: 2500 });
    expect(html).toContain('<input type="hidden" name="poll" value="1">');
    expect(html).toContain('<button type="submit" autofocus>Check again</button>');
    expect(html).toContain('<script nonce="abc">');
    expect(html).toContain('},2500)');
    expect(csp).toContain("script-src 'nonce-abc'");
  });

  it('token programming shows the secret with the settings and a code form', async () => {
    const { html } = await render({
      kind: 'token-programming',
      secretBase32: 'JBSWY3DPEHPK3PXP',
      secretHex: '48656c6c6f21deadbeef',
      algorithm: 'SHA1',
      digits: 8,
      otpType: 'totp',
      period: 30,
    });
    expect(html).toContain('JBSWY3DPEHPK3PXP');
    expect(html).toContain('48656c6c6f21deadbeef');
    expect(html).toContain('pattern="[0-9]{8}"');
    expect(html).toContain('<input type="hidden" name="_csrf" value="tok">');
  });
});
