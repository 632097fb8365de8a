import type { FormInstance } from 'antd';
import { isApiError } from './errors';

/**
 * Puts the API's `details[].field` messages on the matching form fields.
 * Returns true when every message found its field, so the caller can skip a global notice.
 */
export function applyFieldErrors(form: FormInstance, error: unknown, fields: readonly string[]): boolean {
  if (!isApiError(error) || error.details.length === 0) return false;
  const byField = new Map<string, string[]>();
  for (const detail of error.details) {
    if (!fields.includes(detail.field)) continue;
    byField.set(detail.field, [...(byField.get(detail.field) ?? []), detail.message]);
  }
  if (byField.size === 0) return false;
  form.setFields([...byField].map(([name, errors]) => ({ name, errors })));
  return byField.size === new Set(error.details.map((d) => d.field)).size;
}

type FieldPath = Array<string | number>;

/**
 * Like applyFieldErrors for nested forms: `toPath` turns an API field (`settings.pre_chat_form[1].kind`)
 * into the form's name path (`['pre_chat_form', 1, 'kind']`), or `null` when the form has no such
 * field. Returns true when every message found its field.
 */
export function applyFieldErrorPaths(
  form: FormInstance,
  error: unknown,
  toPath: (field: string) => FieldPath | null,
): boolean {
  if (!isApiError(error) || error.details.length === 0) return false;
  const byPath = new Map<string, { name: FieldPath; errors: string[] }>();
  let unplaced = 0;
  for (const detail of error.details) {
    const name = toPath(detail.field);
    if (!name) {
      unplaced++;
      continue;
    }
    const key = JSON.stringify(name);
    const entry = byPath.get(key) ?? { name, errors: [] };
    entry.errors.push(detail.message);
    byPath.set(key, entry);
  }
  if (byPath.size === 0) return false;
  form.setFields([...byPath.values()]);
  return unplaced === 0;
}
