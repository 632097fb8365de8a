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
