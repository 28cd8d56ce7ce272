/**
 * A provider's settings form, rendered from its JSON Schema (core's `configJsonSchema` over the
 * settings class, with the @Field labels and help) and read back from the posted form.
 *
 * The schema library gives no form renderer for our server-rendered, script-free pages, so the
 * mapping is written here: a string, number or integer is a text input (the server validates, so
 * a mistyped number reaches core's loader and comes back as its message), an enum is a select,
 * a boolean a checkbox, a list one entry per line, a map (Duo's usernameTemplate, failmodes)
 * one `key = value` per line, and a secret a write-only password input with a "clear" checkbox.
 */
import { configJsonSchema, type JsonSchemaObject } from '@factorkit/core';
import { e } from '../../http/html.js';

export type FieldKind = 'text' | 'number' | 'boolean' | 'enum' | 'list' | 'map' | 'secret';

export interface FormField {
  readonly name: string;
  readonly label: string;
  readonly help: string | undefined;
  readonly kind: FieldKind;
  /** A select's choices (numbers stay numbers when posted back). */
  readonly options: readonly (string | number)[];
  /** A list whose entries are numbers (WebAuthn's COSE algorithms). */
  readonly numericItems: boolean;
  readonly defaultValue: unknown;
}

/** What a form shows: the text of each field (never a secret), and each checkbox's state. */
export type FormValues = Record<string, string | boolean>;

/** A problem found while reading the form (a map line without `=`), by setting name. */
export type ReadProblems = Record<string, string>;

export function formFields(settingsClass: new () => object): FormField[] {
  const schema = configJsonSchema(settingsClass);
  const props = schema['properties'] as Record<string, JsonSchemaObject>;
  return Object.entries(props).map(([name, p]) => {
    const ref = typeof p['$ref'] === 'string' ? p['$ref'] : '';
    const enumValues = Array.isArray(p['enum']) ? (p['enum'] as (string | number)[]) : [];
    const kind: FieldKind =
      p['x-secret'] === true
        ? 'secret'
        : enumValues.length > 0
          ? 'enum'
          : p['type'] === 'boolean'
            ? 'boolean'
            : p['type'] === 'integer' || p['type'] === 'number'
              ? 'number'
              : ref.endsWith('/Array') || p['type'] === 'array'
                ? 'list'
                : ref.endsWith('/Object') || p['type'] === 'object'
                  ? 'map'
                  : 'text';
    const def = p['default'];
    return {
      name,
      label: typeof p['title'] === 'string' ? p['title'] : name,
      help: typeof p['description'] === 'string' ? p['description'] : undefined,
      kind,
      options: enumValues,
      numericItems: Array.isArray(def) && def.length > 0 && typeof def[0] === 'number',
      defaultValue: def,
    };
  });
}

export function fieldId(providerId: string, name: string): string {
  return `f-${providerId}-${name}`;
}

/** The form's text for a stored setting (its default when the document leaves it out). */
export function displayValues(
  fields: readonly FormField[],
  settings: Record<string, unknown>,
): FormValues {
  const out: FormValues = {};
  for (const f of fields) {
    const value = Object.hasOwn(settings, f.name) ? settings[f.name] : f.defaultValue;
    if (f.kind === 'secret') continue;
    if (f.kind === 'boolean') out[f.name] = value === true;
    else if (f.kind === 'list') out[f.name] = Array.isArray(value) ? value.join('\n') : '';
    else if (f.kind === 'map')
      out[f.name] =
        value && typeof value === 'object'
          ? Object.entries(value as Record<string, unknown>)
              .map(([k, v]) => `${k} = ${String(v)}`)
              .join('\n')
          : '';
    else
      out[f.name] =
        typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
          ? String(value)
          : '';
  }
  return out;
}

/** What the person typed, to show again after a refused save (secrets are never kept). */
export function postedValues(
  fields: readonly FormField[],
  body: Record<string, unknown>,
): FormValues {
  const out: FormValues = {};
  for (const f of fields) {
    const raw = body[`s.${f.name}`];
    if (f.kind === 'secret') continue;
    if (f.kind === 'boolean') out[f.name] = raw === 'on';
    else out[f.name] = typeof raw === 'string' ? raw : '';
  }
  return out;
}

const NUMBER = /^-?\d+(\.\d+)?$/;

function numberOr(text: string): number | string {
  return NUMBER.test(text) ? Number(text) : text;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The settings the posted form asks for, starting from the stored ones: an empty text field
 * leaves the setting out (its default applies), a value equal to the default of a setting the
 * document leaves out stays out (so saving an untouched form changes nothing), an empty secret
 * keeps the stored secret and its "clear" checkbox removes it. A mistyped number is passed on as
 * typed, so core's loader names the problem.
 */
export function readSettings(
  fields: readonly FormField[],
  stored: Record<string, unknown>,
  body: Record<string, unknown>,
): { settings: Record<string, unknown>; problems: ReadProblems } {
  const settings: Record<string, unknown> = { ...stored };
  const problems: ReadProblems = {};
  const set = (f: FormField, value: unknown) => {
    if (value === undefined) delete settings[f.name];
    else if (!Object.hasOwn(stored, f.name) && sameValue(value, f.defaultValue))
      delete settings[f.name];
    else settings[f.name] = value;
  };
  for (const f of fields) {
    const raw = body[`s.${f.name}`];
    const text = typeof raw === 'string' ? raw : '';
    switch (f.kind) {
      case 'secret':
        if (body[`s.${f.name}.clear`] === 'on') delete settings[f.name];
        else if (text !== '') settings[f.name] = text;
        break;
      case 'boolean':
        set(f, raw === 'on');
        break;
      case 'number':
        set(f, text.trim() === '' ? undefined : numberOr(text.trim()));
        break;
      case 'enum': {
        const numeric = typeof f.options[0] === 'number';
        set(f, text === '' ? undefined : numeric ? numberOr(text) : text);
        break;
      }
      case 'list': {
        const items = text
          .split(/\r?\n/)
          .map((l) => l.trim())
          .filter((l) => l !== '');
        set(f, items.length === 0 ? undefined : f.numericItems ? items.map(numberOr) : items);
        break;
      }
      case 'map': {
        const pairs: [string, string][] = [];
        for (const [i, line] of text.split(/\r?\n/).entries()) {
          if (line.trim() === '') continue;
          const at = line.indexOf('=');
          if (at <= 0) {
            problems[f.name] = `line ${i + 1}: write one entry per line as "name = value"`;
            break;
          }
          pairs.push([line.slice(0, at).trim(), line.slice(at + 1).trim()]);
        }
        // fromEntries keeps a typed "__proto__" as a plain key, so core's loader refuses it by
        // name instead of an assignment silently dropping it.
        set(f, pairs.length === 0 ? undefined : Object.fromEntries(pairs));
        break;
      }
      default:
        set(f, text.trim() === '' ? undefined : text.trim());
    }
  }
  return { settings, problems };
}

export interface FieldView {
  readonly providerId: string;
  readonly values: FormValues;
  /** Whether each secret is stored (shown as "set" or "not set", never its value). */
  readonly secretsSet: Record<string, boolean>;
  /** A problem per setting name, shown under its field. */
  readonly errors: Record<string, string>;
  /** Extra help per setting name (e.g. that the emulator fills it in). */
  readonly notes?: Record<string, string>;
}

function described(id: string, help: string | undefined, error: string | undefined): string {
  const ids = [help ? `${id}-help` : '', error ? `${id}-error` : ''].filter((x) => x !== '');
  return (
    (ids.length > 0 ? ` aria-describedby="${e(ids.join(' '))}"` : '') +
    (error ? ' aria-invalid="true"' : '')
  );
}

/** One field: its label, control, help and error (tied with aria-describedby). */
export function renderField(f: FormField, view: FieldView): string {
  const id = fieldId(view.providerId, f.name);
  const name = `s.${f.name}`;
  const error = view.errors[f.name];
  const note = view.notes?.[f.name];
  const help = [f.help, note].filter((x) => x).join(' ') || undefined;
  const aria = described(id, help, error);
  const helpHtml = help ? `<p class="hint" id="${e(id)}-help">${e(help)}</p>` : '';
  const errorHtml = error ? `<p class="field-error" id="${e(id)}-error">${e(error)}</p>` : '';
  const value = view.values[f.name];
  const text = typeof value === 'string' ? value : '';
  let control: string;
  switch (f.kind) {
    case 'boolean':
      return (
        `<div class="check"><input type="checkbox" id="${e(id)}" name="${e(name)}"${value === true ? ' checked' : ''}${aria}>` +
        ` <label for="${e(id)}">${e(f.label)}</label>${helpHtml}${errorHtml}</div>`
      );
    case 'secret': {
      const isSet = view.secretsSet[f.name] === true;
      return (
        `<div class="field"><label for="${e(id)}">${e(f.label)} <span class="status">(${isSet ? 'set' : 'not set'})</span></label>` +
        `<input type="password" id="${e(id)}" name="${e(name)}" autocomplete="new-password" value=""${aria}>` +
        `<p class="hint">Write-only: ${isSet ? 'leave empty to keep the stored value' : 'type it to set it'}.</p>` +
        (isSet
          ? `<div class="check"><input type="checkbox" id="${e(id)}-clear" name="${e(name)}.clear"> <label for="${e(id)}-clear">Clear the stored ${e(f.label)}</label></div>`
          : '') +
        `${helpHtml}${errorHtml}</div>`
      );
    }
    case 'enum': {
      const opts = f.options.map(
        (o) => `<option value="${e(o)}"${String(o) === text ? ' selected' : ''}>${e(o)}</option>`,
      );
      control = `<select id="${e(id)}" name="${e(name)}"${aria}>${opts.join('')}</select>`;
      break;
    }
    case 'list':
    case 'map':
      control = `<textarea id="${e(id)}" name="${e(name)}" rows="3"${aria}>${e(text)}</textarea>`;
      break;
    default:
      control = text.includes('\n')
        ? `<textarea id="${e(id)}" name="${e(name)}" rows="4"${aria}>${e(text)}</textarea>`
        : `<input type="text" id="${e(id)}" name="${e(name)}" value="${e(text)}"${f.kind === 'number' ? ' inputmode="numeric"' : ''}${aria}>`;
  }
  const format =
    f.kind === 'list'
      ? `<p class="hint">One per line.</p>`
      : f.kind === 'map'
        ? `<p class="hint">One per line, as <code>name = value</code> (<code>*</code> for every other audience).</p>`
        : '';
  return `<div class="field"><label for="${e(id)}">${e(f.label)}</label>${control}${format}${helpHtml}${errorHtml}</div>`;
}
