/** The strict response parser (YK-05). */
import { describe, expect, it } from 'vitest';
import { MAX_RESPONSE_BYTES, parseResponse } from '../src/response.js';

const OK = 'h=abc=\r\nt=2026-01-01T00:00:00Z0123\r\nstatus=OK\r\n';

describe('parseResponse', () => {
  it('YK-05: reads CRLF and LF lines, keeps = inside values', () => {
    const crlf = parseResponse(OK);
    expect(crlf.ok && Object.fromEntries(crlf.pairs)).toEqual({
      h: 'abc=',
      t: '2026-01-01T00:00:00Z0123',
      status: 'OK',
    });
    expect(parseResponse(OK.replace(/\r\n/g, '\n')).ok).toBe(true);
  });

  it.each([
    ['two status lines', OK + 'status=BAD_OTP\r\n'],
    ['no status', 'h=abc\r\n'],
    ['a BOM', '\ufeff' + OK],
    ['a bare CR inside a value', 'status=OK\rstatus=BAD_OTP\r\n'],
    ['a line without =', OK + 'garbage\r\n'],
    ['an upper-case key', OK + 'NONCE=x\r\n'],
    ['a control character in a value', OK + 'nonce=a\u0000b\r\n'],
    ['a body over the size cap', OK + `x=${'a'.repeat(MAX_RESPONSE_BYTES)}\r\n`],
  ])('YK-05: refuses %s', (_name, body) => {
    expect(parseResponse(body).ok).toBe(false);
  });
});
