/**
 * Form pieces of the admin pages: a field's error (announced with role="alert" and tied to the
 * field by aria-describedby) and the hidden CSRF field every POST form carries.
 */
import type { Request } from 'express';
import { csrfTokenOf } from '../http/csrf.js';
import { e } from '../http/html.js';

export interface FieldErrorMarkup {
  /** Attributes for the input: aria-invalid and aria-describedby, or nothing. */
  readonly attrs: string;
  /** The message, to put right under the field. */
  readonly html: string;
}

export function fieldErrorFor(id: string, message: string | undefined): FieldErrorMarkup {
  if (message === undefined) return { attrs: '', html: '' };
  return {
    attrs: ` aria-invalid="true" aria-describedby="${e(id)}-error"`,
    html: `<p class="field-error" id="${e(id)}-error" role="alert">${e(message)}</p>`,
  };
}

export function csrfField(req: Request): string {
  return `<input type="hidden" name="_csrf" value="${e(csrfTokenOf(req))}">`;
}

/** A string field of a urlencoded body or query, or '' (arrays and objects are not strings). */
export function textField(source: unknown, name: string): string {
  const value = (source as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}
