/**
 * What the answer-spoiling faults do to a response body: `malformedBody`, `hostileText` and
 * `authApiAnswer` (see Faults in state/faults.ts).
 */
import type { AuthApiAnswerFault, Faults } from '../state/faults.js';

export function malformed(kind: NonNullable<Faults['malformedBody']>): string {
  if (kind === 'html') return '<html><body><h1>502 Bad Gateway</h1></body></html>';
  if (kind === 'empty') return '';
  return '{"stat": "OK", "response": {"result": "al';
}

// verification_code too: it is Duo-written text a client shows its user (Verified Push).
const MESSAGE_FIELDS = [
  'status_msg',
  'message',
  'message_detail',
  'error_description',
  'verification_code',
];

/** Every message Duo writes, at the top level and in `response`, becomes `text`. */
export function withHostileText(
  body: Record<string, unknown>,
  text: string,
): Record<string, unknown> {
  const swap = (o: Record<string, unknown>): Record<string, unknown> => {
    const copy = { ...o };
    for (const k of MESSAGE_FIELDS) if (k in copy) copy[k] = text;
    return copy;
  };
  const out = swap(body);
  const r = out['response'];
  if (typeof r === 'object' && r !== null && !Array.isArray(r))
    out['response'] = swap(r as Record<string, unknown>);
  return out;
}

/** A `stat: OK` answer spoiled as documented in AuthApiAnswerFault. */
export function spoilAnswer(
  body: Record<string, unknown>,
  kind: AuthApiAnswerFault,
): Record<string, unknown> {
  switch (kind) {
    case 'missing_response':
      return { stat: 'OK' };
    case 'bad_stat':
      return { ...body, stat: 'ok' };
    case 'unknown_result':
    case 'missing_result': {
      const r = body['response'];
      if (typeof r !== 'object' || r === null || Array.isArray(r)) return body;
      const response = { ...(r as Record<string, unknown>) };
      if (kind === 'missing_result') delete response['result'];
      else response['result'] = 'ALLOW';
      return { ...body, response };
    }
  }
}
