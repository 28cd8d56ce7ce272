import type { FastifyRequest } from 'fastify';

export type ParamPairs = Array<[string, string]>;

/** A request body as the emulator keeps it: raw text (for v5 signatures) and decoded pairs. */
export interface ParsedBody {
  kind: 'json' | 'form' | 'multipart' | 'other';
  raw: string;
  pairs: ParamPairs;
  /** The parsed JSON value, for JSON bodies. */
  value?: unknown;
}

export function formPairs(text: string): ParamPairs {
  return [...new URLSearchParams(text).entries()];
}

export function jsonPairs(value: unknown): ParamPairs {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.entries(value as Record<string, unknown>).map(([k, v]) => [
    k,
    typeof v === 'string' ? v : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v),
  ]);
}

export function queryPairs(request: FastifyRequest): ParamPairs {
  const q = request.url.indexOf('?');
  return q < 0 ? [] : formPairs(request.url.slice(q + 1));
}

export function bodyOf(request: FastifyRequest): ParsedBody | undefined {
  const b = request.body as ParsedBody | undefined;
  return b && typeof b === 'object' && 'kind' in b ? b : undefined;
}

/** Query parameters merged with the body's (Duo clients use either, per SDK). */
export function allPairs(request: FastifyRequest): ParamPairs {
  return [...queryPairs(request), ...(bodyOf(request)?.pairs ?? [])];
}

export function firstParam(pairs: ParamPairs, name: string): string | undefined {
  return pairs.find(([k]) => k === name)?.[1];
}

export function pathOf(request: FastifyRequest): string {
  const q = request.url.indexOf('?');
  return q < 0 ? request.url : request.url.slice(0, q);
}
