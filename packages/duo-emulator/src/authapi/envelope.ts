import type { FastifyReply } from 'fastify';

/** Duo's error messages per code (duo-protocol.md §B.5). */
export const DUO_MESSAGES: Record<number, string> = {
  40001: 'Missing required request parameters',
  40002: 'Invalid request parameters',
  40101: 'Missing request credentials',
  40102: 'Invalid integration key in request credentials',
  40103: 'Invalid signature in request credentials',
  40301: 'Access forbidden',
  40401: 'Resource not found',
  42901: 'Too many requests',
  50001: 'Unknown internal server error',
};

/** `{stat: FAIL, code, message, message_detail?}` with the HTTP status = first three digits of code. */
export function duoFail(
  reply: FastifyReply,
  code: number,
  detail?: string,
  status?: number,
): FastifyReply {
  const body: Record<string, unknown> = {
    stat: 'FAIL',
    code,
    message: DUO_MESSAGES[code] ?? 'Error',
  };
  if (detail !== undefined) body['message_detail'] = detail;
  return reply
    .code(status ?? Math.floor(code / 100))
    .type('application/json; charset=utf-8')
    .send(body);
}

export function duoOk(reply: FastifyReply, response: unknown): FastifyReply {
  return reply.type('application/json; charset=utf-8').send({ stat: 'OK', response });
}
