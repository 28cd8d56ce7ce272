/**
 * Request body parsers. Every body keeps its raw text (a v5 Auth API signature hashes the body
 * actually sent) and its decoded parameter pairs; JSON bodies also keep the parsed value.
 */
import type { FastifyInstance } from 'fastify';
import { formPairs, jsonPairs, type ParsedBody } from './params.js';

export function registerBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      const value: unknown = body.length ? JSON.parse(body as string) : {};
      done(null, {
        kind: 'json',
        raw: body as string,
        pairs: jsonPairs(value),
        value,
      } satisfies ParsedBody);
    } catch {
      done(Object.assign(new Error('invalid JSON body'), { statusCode: 400 }), undefined);
    }
  });
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_req, body, done) => {
      done(null, {
        kind: 'form',
        raw: body as string,
        pairs: formPairs(body as string),
      } satisfies ParsedBody);
    },
  );
  // PHP's Duo SDK posts multipart/form-data; undici's Response parses it (no extra dependency).
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (req, body, done) => {
    new Response(body as Buffer, { headers: { 'content-type': req.headers['content-type'] ?? '' } })
      .formData()
      .then((form) => {
        const pairs: Array<[string, string]> = [];
        form.forEach((v, k) => {
          if (typeof v === 'string') pairs.push([k, v]);
        });
        done(null, {
          kind: 'multipart',
          raw: (body as Buffer).toString('utf8'),
          pairs,
        } satisfies ParsedBody);
      })
      .catch(() =>
        done(Object.assign(new Error('invalid multipart body'), { statusCode: 400 }), undefined),
      );
  });
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    done(null, { kind: 'other', raw: body as string, pairs: [] } satisfies ParsedBody);
  });
}
