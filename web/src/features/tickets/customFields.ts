import { asArray, asObject, asString } from '../../api/open';

/** The kinds of a category's custom field, as the server validates them. */
export const FIELD_KINDS = ['text', 'number', 'date', 'boolean', 'list'] as const;

export type FieldDef = { key: string; label: string; kind: string; required: boolean; options: string[] };

/** Reads a category's `fields` (open objects in the OpenAPI document). */
export function readFieldDefs(value: unknown): FieldDef[] {
  return asArray(value).map((raw) => {
    const f = asObject(raw);
    return {
      key: asString(f.key),
      label: asString(f.label),
      kind: asString(f.kind),
      required: f.required === true,
      options: asArray(f.options).filter((o): o is string => typeof o === 'string'),
    };
  });
}

/**
 * The custom values the form collected, for the API: empty inputs left out (or sent as `null` to
 * clear a stored value when `clearEmpty`), numbers as numbers, dates as `YYYY-MM-DD`.
 */
export function customForApi(
  defs: readonly FieldDef[],
  values: Record<string, unknown> | undefined,
  clearEmpty = false,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const def of defs) {
    const value = values?.[def.key];
    const empty = value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
    if (empty) {
      if (clearEmpty) out[def.key] = null;
      continue;
    }
    out[def.key] = def.kind === 'boolean' ? value === true : value;
  }
  return out;
}

/** A category field's stored value for the form (unknown shapes are dropped, not guessed). */
export function customForForm(defs: readonly FieldDef[], custom: unknown): Record<string, unknown> {
  const stored = asObject(custom);
  const out: Record<string, unknown> = {};
  for (const def of defs) {
    const value = stored[def.key];
    if (value === undefined || value === null) continue;
    if (def.kind === 'number' && typeof value === 'number') out[def.key] = value;
    else if (def.kind === 'boolean' && typeof value === 'boolean') out[def.key] = value;
    else if (def.kind === 'list' && (typeof value === 'string' || Array.isArray(value))) out[def.key] = value;
    else if ((def.kind === 'text' || def.kind === 'date') && typeof value === 'string') out[def.key] = value;
  }
  return out;
}
