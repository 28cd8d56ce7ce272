/**
 * Every SDK failure is classified once; only an allow-list of outages may lead to failmode open
 * (OUT-02, invariant 7). A health check that answers `stat: FAIL` for a configuration
 * problem (Duo's message reaches us as "message: message_detail", without Duo's numeric code)
 * must fail closed: Duo's own "Failing open" incident was a misconfiguration.
 */
import { DuoException } from '@duosecurity/duo_universal';
import { describe, expect, it } from 'vitest';
import { classifyNetworkError } from '../src/failure.js';
import { classifySdkError } from '../src/universal/universal-client.js';

describe('classifySdkError', () => {
  it.each([
    'Access forbidden: Wrong integration type for this API.',
    'Invalid integration key in request credentials',
    'Missing required request parameters: client_id',
    'Invalid request parameters: state',
    'invalid_client: The provided client_assertion was invalid.',
    'Some future SDK check we have never seen',
  ])('OUT-02: "%s" is a refusal of our configuration, never an outage', (message) => {
    expect(classifySdkError(new DuoException(message)).kind).toBe('config');
  });

  it('OUT-02: Duo saying it is temporarily unavailable is an outage', () => {
    expect(
      classifySdkError(new DuoException('service_unavailable: Duo is temporarily unavailable.'))
        .kind,
    ).toBe('outage');
  });

  it('keeps no cause: an SDK error can hold the signed request (SS-05)', () => {
    const inner = Object.assign(new Error('socket hang up'), {
      isAxiosError: true,
      code: 'ECONNRESET',
      config: { data: 'client_assertion=eyJ.secret.jwt&code=duo-code' },
    });
    const e = classifySdkError(new DuoException('request failed', inner));
    expect(e.kind).toBe('outage');
    expect(e.cause).toBeUndefined();
    expect(JSON.stringify({ m: e.message, d: e.detail })).not.toContain('eyJ');
  });
});

describe('classifyNetworkError: did Duo act on the request? (BF-05)', () => {
  const withCode = (code: string) => Object.assign(new Error(code), { code });

  it.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'])(
    '%s: no connection was opened, so Duo created no push',
    (code) => {
      const e = classifyNetworkError(withCode(code));
      expect(e.kind).toBe('outage');
      expect(e.notProcessed).toBe(true);
    },
  );

  it.each(['ECONNRESET', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT', 'ETIMEDOUT'])(
    '%s: the request may have reached Duo, so a push may exist',
    (code) => {
      const e = classifyNetworkError(withCode(code));
      expect(e.kind).toBe('outage');
      expect(e.notProcessed).toBe(false);
    },
  );

  it('a timeout without a code may also come after Duo sent a push', () => {
    const e = classifyNetworkError(Object.assign(new Error('t'), { name: 'TimeoutError' }));
    expect(e.notProcessed).toBe(false);
  });
});
