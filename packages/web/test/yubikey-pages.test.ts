import { describe, expect, it } from 'vitest';
import { BUILT_IN_CATALOGS } from '../src/index.js';
import { DEFAULT_TEMPLATES } from '../src/pages/templates.js';

const english = BUILT_IN_CATALOGS.en;
if (english === undefined) throw new Error('the English catalog is built in');
const base = { lang: 'en', t: english, csrf: 'token' };

describe('YubiKey OTP on the pages', () => {
  it('a code prompt without a digit count takes a 44-character modhex OTP: no digit pattern, cap or numeric keyboard', () => {
    const html = DEFAULT_TEMPLATES.codeEntry({ ...base, action: '/answer' });
    const field = /<input id="code"[^>]*>/.exec(html)?.[0] ?? '';
    expect(field).toContain('autocomplete="off"');
    expect(field).not.toMatch(/pattern=|maxlength=|inputmode=|one-time-code/);
  });

  it('a code prompt with a digit count stays numeric with code autofill', () => {
    const html = DEFAULT_TEMPLATES.codeEntry({ ...base, action: '/answer', digits: 6 });
    const field = /<input id="code"[^>]*>/.exec(html)?.[0] ?? '';
    expect(field).toContain('inputmode="numeric" pattern="[0-9]{6}" maxlength="6"');
    expect(field).toContain('autocomplete="one-time-code"');
  });
});
