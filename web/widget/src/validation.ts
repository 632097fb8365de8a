import type { MessageKey } from './i18n';
import type { FormField } from './types';

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// Digits with optional +, spaces, dashes, dots and parentheses; 5–20 digits in all.
const PHONE_RE = /^\+?[\d\s\-().]+$/;

export function validateField(field: FormField, raw: string | undefined): MessageKey | null {
  const value = (raw ?? '').trim();
  if (!value) return field.required ? 'form_required' : null;
  if (field.kind === 'email' && !EMAIL_RE.test(value)) return 'form_invalid_email';
  if (field.kind === 'phone') {
    const digits = value.replace(/\D/g, '').length;
    if (!PHONE_RE.test(value) || digits < 5 || digits > 20) return 'form_invalid_phone';
  }
  return null;
}

export function validateForm(
  fields: FormField[],
  values: Record<string, string>,
): Record<string, MessageKey> {
  const errors: Record<string, MessageKey> = {};
  for (const field of fields) {
    const error = validateField(field, values[field.name]);
    if (error) errors[field.name] = error;
  }
  return errors;
}

export function selectOptions(field: FormField): Array<{ value: string; label: string }> {
  return (field.options ?? []).map((o) => (typeof o === 'string' ? { value: o, label: o } : o));
}
