/**
 * The short detail of an audit row, from the stored event: only the fields named here, so an
 * event type added to core later shows no field nobody has looked at. Core's events hold no
 * secret, code or token (SECURITY.md LG-01); ids and the request's user agent are left out as
 * noise for a person reading the log.
 */
import { utcTime } from '../format.js';

const FIELDS: ReadonlyArray<readonly [string, string, 'text' | 'time']> = [
  ['reason', 'reason', 'text'],
  ['method', 'method', 'text'],
  ['failures', 'failures', 'text'],
  ['permanent', 'permanent', 'text'],
  ['remaining', 'codes left', 'text'],
  ['count', 'count', 'text'],
  ['enrollmentsRemoved', 'factors removed', 'text'],
  ['devicesRevoked', 'devices forgotten', 'text'],
  ['by', 'by', 'text'],
  ['action', 'action', 'text'],
  ['refusal', 'refusal', 'text'],
  ['why', 'why', 'text'],
  ['kind', 'kind', 'text'],
  ['aal', 'AAL', 'text'],
  ['deadline', 'deadline', 'time'],
  ['expiresAt', 'expires', 'time'],
  ['detail', 'detail', 'text'],
];

const MAX = 300;

export function shortDetail(event: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, label, kind] of FIELDS) {
    const v = event[key];
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') continue;
    if (kind === 'time' && typeof v === 'number') parts.push(`${label}: ${utcTime(v)}`);
    else parts.push(`${label}: ${String(v)}`);
  }
  const text = parts.join('; ');
  return text.length > MAX ? `${text.slice(0, MAX - 1)}…` : text;
}
