/**
 * The browser's answer, checked for shape and size before any parsing by the library (WA-18):
 * every field a base64url string under a cap, `id === rawId`, `type === 'public-key'`, and a
 * clientData that is not from a cross-origin frame (WA-03; the library accepts that).
 */
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';

const B64URL = /^[A-Za-z0-9_-]*$/;
/** 1023 bytes (WebAuthn §7.1 step 25) as unpadded base64url. */
export const MAX_CREDENTIAL_ID_BYTES = 1023;
const MAX_ID_CHARS = Math.ceil((MAX_CREDENTIAL_ID_BYTES * 4) / 3);
const CAPS = {
  clientDataJSON: 4096,
  attestationObject: 16384,
  authenticatorData: 4096,
  signature: 1024,
  userHandle: 128,
};

export type Shape<T> = { ok: true; value: T } | { ok: false; detail: string };

function field(o: Record<string, unknown>, name: keyof typeof CAPS | 'id', optional = false) {
  const value = o[name];
  if (value === undefined && optional) return { ok: true as const, value: undefined };
  const cap = name === 'id' ? MAX_ID_CHARS : CAPS[name];
  if (typeof value !== 'string' || value.length === 0 || value.length > cap || !B64URL.test(value))
    return { ok: false as const, detail: `${name} must be base64url of at most ${cap} characters` };
  return { ok: true as const, value };
}

function common(input: unknown): Shape<{ id: string; response: Record<string, unknown> }> {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return { ok: false, detail: 'the answer must be a credential object' };
  const o = input as Record<string, unknown>;
  const id = field(o, 'id');
  if (!id.ok) return id;
  if (id.value === undefined) return { ok: false, detail: 'id is required' };
  if (o['rawId'] !== id.value) return { ok: false, detail: 'rawId must equal id' };
  if (o['type'] !== 'public-key') return { ok: false, detail: 'type must be public-key' };
  const response = o['response'];
  if (typeof response !== 'object' || response === null || Array.isArray(response))
    return { ok: false, detail: 'response must be an object' };
  return { ok: true, value: { id: id.value, response: response as Record<string, unknown> } };
}

/** The parsed clientData, or why it is refused. Only fields we check are read. */
export function clientDataProblem(clientDataJSON: string): string | null {
  let data: unknown;
  try {
    data = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8'));
  } catch {
    return 'clientDataJSON is not JSON';
  }
  if (typeof data !== 'object' || data === null) return 'clientDataJSON is not an object';
  const c = data as Record<string, unknown>;
  // No embedding is configured: a ceremony in a cross-origin frame is refused (WA-03).
  if (c['crossOrigin'] === true || c['topOrigin'] !== undefined)
    return 'WA_CROSS_ORIGIN_NOT_ALLOWED';
  return null;
}

export function registrationShape(input: unknown): Shape<RegistrationResponseJSON> {
  const base = common(input);
  if (!base.ok) return base;
  const r = base.value.response;
  for (const name of ['clientDataJSON', 'attestationObject'] as const) {
    const f = field(r, name);
    if (!f.ok) return f;
  }
  const transports = r['transports'];
  if (
    transports !== undefined &&
    (!Array.isArray(transports) ||
      transports.length > 8 ||
      !transports.every((t) => typeof t === 'string' && /^[a-z-]{1,16}$/.test(t)))
  )
    return { ok: false, detail: 'transports must be a short list of transport names' };
  return { ok: true, value: input as RegistrationResponseJSON };
}

export function authenticationShape(input: unknown): Shape<AuthenticationResponseJSON> {
  const base = common(input);
  if (!base.ok) return base;
  const r = base.value.response;
  for (const name of ['clientDataJSON', 'authenticatorData', 'signature'] as const) {
    const f = field(r, name);
    if (!f.ok) return f;
  }
  if (r['userHandle'] !== undefined && r['userHandle'] !== null) {
    const f = field(r, 'userHandle');
    if (!f.ok) return f;
  }
  return { ok: true, value: input as AuthenticationResponseJSON };
}
