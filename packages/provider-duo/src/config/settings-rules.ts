/**
 * The checks behind the Duo settings' fields, apart from the class so it reads as a list of
 * fields. Every message is built from the rule alone, never from the value, so a secret typed
 * into the wrong field is never echoed (CF-01, SS-05).
 */
import { v } from '@factorkit/core';
import { checkTemplate } from '../username.js';
import type { DuoSettings } from './settings.js';

export const DUO_VERSIONS = ['universal', 'legacy'] as const;
export type DuoVersion = (typeof DUO_VERSIONS)[number];
export const LEGACY_FACTORS = ['auto', 'push', 'passcode', 'phone', 'sms'] as const;
export type LegacyFactor = (typeof LEGACY_FACTORS)[number];

export const UNIVERSAL_FIELDS = ['clientId', 'clientSecret', 'redirectUrl'] as const;
export const LEGACY_FIELDS = ['integrationKey', 'secretKey', 'factor'] as const;

/** Duo's API hostnames: `api-` and 8 hex-like characters (Duo admin panel, duo-protocol.md §0). */
export const DUO_API_HOST = /^api-[0-9a-z]{8}\.duosecurity\.com$/;
const HOST_PORT =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:]+\])(?::\d{1,5})?$/i;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const AUDIENCE_KEY = /^(?:\*|[a-z][a-z0-9_-]{0,31})$/;

export type Rule<T> = (value: unknown, settings: T) => string | null;

/** A validator whose message comes from the same check (never from the value). */
export function Check<T extends object>(name: string, rule: Rule<T>): PropertyDecorator {
  return v.ValidateBy({
    name,
    validator: {
      validate: (value, args) => rule(value, args!.object as T) === null,
      defaultMessage: (args) => rule(args!.value, args!.object as T) ?? 'is invalid',
    },
  });
}

const present = (x: unknown) => x !== undefined && x !== null && x !== '';

function wrongVersion(field: string, s: DuoSettings): string | null {
  const own = (UNIVERSAL_FIELDS as readonly string[]).includes(field) ? 'universal' : 'legacy';
  if (s.version === own) return null;
  const wanted = s.version === 'legacy' ? LEGACY_FIELDS : UNIVERSAL_FIELDS;
  return `belongs to version '${own}', but version is '${String(s.version)}', which uses ${wanted.join(', ')} and apiHost; remove ${field} or set version to '${own}'`;
}

export function credential(field: string, length: number, label: string): Rule<DuoSettings> {
  return (value, s) => {
    if (!present(value)) {
      return s.version ===
        ((UNIVERSAL_FIELDS as readonly string[]).includes(field) ? 'universal' : 'legacy')
        ? `is required when version is '${s.version}' (${label})`
        : null;
    }
    const other = wrongVersion(field, s);
    if (other) return other;
    if (typeof value !== 'string') return 'must be a string';
    if (value.length !== length) return `must be exactly ${length} characters (${label})`;
    if (!/^[\x21-\x7e]+$/.test(value)) return 'must be printable ASCII without spaces';
    return null;
  };
}

export function templatesRule(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'must be an object of audience -> template (e.g. { "*": "{username}" })';
  const entries = Object.entries(value);
  if (!entries.some(([k]) => k === '*'))
    return 'needs a "*" entry used for audiences without their own template';
  for (const [k, t] of entries) {
    if (!AUDIENCE_KEY.test(k)) return `has an invalid audience name "${k.slice(0, 32)}"`;
    const problem = checkTemplate(t);
    if (problem) return `${k}: ${problem}`;
  }
  return null;
}

export function apiHostRule(value: unknown, s: DuoSettings): string | null {
  if (typeof value !== 'string' || value.length === 0) return 'is required';
  if (value.length > 255 || !HOST_PORT.test(value))
    return 'must be a host name (no scheme, no path)';
  if (DUO_API_HOST.test(value.toLowerCase())) return null;
  return s.allowCustomApiHost === true
    ? null
    : 'must look like api-XXXXXXXX.duosecurity.com; set allowCustomApiHost: true for an emulator or a proxy';
}

export function caPemRule(value: unknown, s: DuoSettings): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'string' || !/-----BEGIN CERTIFICATE-----/.test(value))
    return 'must be a PEM certificate';
  return s.allowCustomApiHost === true ? null : 'needs allowCustomApiHost: true';
}

export function redirectUrlRule(value: unknown, s: DuoSettings): string | null {
  if (!present(value))
    return s.version === 'universal' ? "is required when version is 'universal'" : null;
  const other = wrongVersion('redirectUrl', s);
  if (other) return other;
  if (typeof value !== 'string') return 'must be a URL';
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return 'must be an absolute URL';
  }
  if (u.username || u.password) return 'must not carry credentials';
  if (u.hash) return 'must not have a #fragment';
  if (u.protocol === 'https:') return null;
  if (u.protocol === 'http:' && LOOPBACK.has(u.hostname)) return null;
  return 'must use https (http only for localhost)';
}

export function factorRule(value: unknown, s: DuoSettings): string | null {
  if (value === undefined) return null;
  const other = wrongVersion('factor', s);
  if (other) return other;
  return (LEGACY_FACTORS as readonly unknown[]).includes(value)
    ? null
    : 'must be auto, push, passcode, phone or sms';
}
