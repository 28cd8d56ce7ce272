import { WebError } from './errors.js';

/** Reads a JSON object body of at most `limitBytes`, refusing anything else with a clear 4xx. */
export async function readJsonObject(
  request: Request,
  limitBytes: number,
): Promise<Record<string, unknown>> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json')
    throw new WebError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.');
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limitBytes) throw tooLarge(limitBytes);
  const text = await readLimited(request, limitBytes);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new WebError(400, 'INVALID_JSON', 'The body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new WebError(400, 'INVALID_JSON', 'The body must be a JSON object.');
  return parsed as Record<string, unknown>;
}

function tooLarge(limitBytes: number): WebError {
  return new WebError(413, 'BODY_TOO_LARGE', `The body is larger than ${limitBytes} bytes.`);
}

/** The body as text, stopping (and cancelling the stream) as soon as it passes the limit. */
export async function readLimited(request: Request, limitBytes: number): Promise<string> {
  if (request.body === null) return '';
  const reader = (request.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limitBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limitBytes);
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new WebError(400, 'INVALID_JSON', 'The body is not valid UTF-8.');
  }
}

/** A string field of the body, or undefined when absent; any other type is a 400. */
export function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string')
    throw new WebError(400, 'INVALID_JSON', `"${name}" must be a string.`);
  return value;
}

/** A string field the route cannot do without: absent or of another type is a 400 naming it. */
export function requiredString(body: Record<string, unknown>, name: string): string {
  const value = optionalString(body, name);
  if (value === undefined) throw new WebError(400, 'INVALID_JSON', `Send "${name}" as a string.`);
  return value;
}
