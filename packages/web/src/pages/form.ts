import { readLimited } from '../body.js';
import { WebError } from '../errors.js';

/** True when the request's body is an HTML form (`application/x-www-form-urlencoded`). */
export function isForm(request: Request): boolean {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/x-www-form-urlencoded';
}

/**
 * The fields of a form body of at most `limitBytes` (the handler's body limit), parsed by the
 * platform's URLSearchParams. A field sent twice is refused: which copy counts would be a guess.
 */
export async function readFormObject(
  request: Request,
  limitBytes: number,
): Promise<Record<string, string>> {
  if (!isForm(request))
    throw new WebError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the form as urlencoded.');
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of new URLSearchParams(await readLimited(request, limitBytes))) {
    if (Object.hasOwn(fields, name))
      throw new WebError(400, 'INVALID_JSON', `The form field "${name}" was sent twice.`);
    fields[name] = value;
  }
  return fields;
}
