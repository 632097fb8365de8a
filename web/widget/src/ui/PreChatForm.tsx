import { useState } from 'preact/hooks';
import type { MessageKey } from '../i18n';
import type { FormField } from '../types';
import { selectOptions, validateField, validateForm } from '../validation';
import { useUi } from './context';

const INPUT_TYPE: Record<string, 'text' | 'email' | 'tel'> = { email: 'email', phone: 'tel', text: 'text' };
const AUTOCOMPLETE: Record<string, string> = { email: 'email', phone: 'tel', name: 'name' };

export function PreChatForm({ fields }: { fields: FormField[] }) {
  const { t, controller } = useUi();
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);

  const message = (e: string | undefined) => (e ? (e.startsWith('form_') || e.startsWith('error_') ? t(e as MessageKey) : e) : null);

  const update = (field: FormField, value: string) => {
    setValues((v) => ({ ...v, [field.name]: value }));
    if (touched[field.name]) {
      const err = validateField(field, value);
      setErrors((prev) => {
        const next = { ...prev };
        if (err) next[field.name] = err;
        else delete next[field.name];
        return next;
      });
    }
  };

  const blur = (field: FormField) => {
    setTouched((v) => ({ ...v, [field.name]: true }));
    const err = validateField(field, values[field.name]);
    setErrors((prev) => {
      const next = { ...prev };
      if (err) next[field.name] = err;
      else delete next[field.name];
      return next;
    });
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const found = validateForm(fields, values);
    setTouched(Object.fromEntries(fields.map((f) => [f.name, true])));
    setErrors(found);
    setFormError(null);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    const serverErrors = await controller.submitForm(values);
    setBusy(false);
    if (serverErrors) {
      const { ['']: general, ...byField } = serverErrors;
      setErrors(byField);
      const unknown = Object.keys(byField).filter((k) => !fields.some((f) => f.name === k));
      setFormError(general ?? (unknown.length > 0 ? byField[unknown[0]] : null));
    }
  };

  return (
    <form class="yk-form" onSubmit={submit} noValidate>
      <p class="yk-form-title">{t('form_title')}</p>
      {fields.map((field) => {
        const id = `yk-f-${field.name}`;
        const err = message(errors[field.name]);
        const common = {
          id,
          name: field.name,
          value: values[field.name] ?? '',
          'aria-invalid': err ? ('true' as const) : ('false' as const),
          'aria-describedby': err ? `${id}-err` : undefined,
          'aria-required': field.required ? ('true' as const) : undefined,
          onBlur: () => blur(field),
        };
        const options = selectOptions(field);
        let control;
        if (field.kind === 'textarea') {
          control = (
            <textarea
              {...common}
              class="yk-field-input yk-field-textarea"
              rows={3}
              onInput={(e) => update(field, (e.currentTarget as HTMLTextAreaElement).value)}
            />
          );
        } else if (field.kind === 'select' && options.length > 0) {
          control = (
            <select
              {...common}
              class="yk-field-input"
              onChange={(e) => update(field, (e.currentTarget as HTMLSelectElement).value)}
            >
              <option value="">{t('form_select_placeholder')}</option>
              {options.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          );
        } else {
          control = (
            <input
              {...common}
              class="yk-field-input"
              // Typed as 'text' for the JSX checker; the value is text, email or tel.
              type={(INPUT_TYPE[field.kind] ?? 'text') as 'text'}
              inputMode={field.kind === 'phone' ? 'tel' : field.kind === 'email' ? 'email' : 'text'}
              autoComplete={AUTOCOMPLETE[field.kind] ?? AUTOCOMPLETE[field.name] ?? 'on'}
              onInput={(e) => update(field, (e.currentTarget as HTMLInputElement).value)}
            />
          );
        }
        return (
          <div class={`yk-field ${err ? 'yk-field-error' : ''}`} key={field.name}>
            <label for={id}>
              {field.label}
              {field.required ? <span class="yk-req" aria-hidden="true"> *</span> : <span class="yk-opt"> {t('form_optional')}</span>}
            </label>
            {control}
            {err && (
              <div class="yk-field-msg" id={`${id}-err`} role="alert">
                {err}
              </div>
            )}
          </div>
        );
      })}
      {formError && (
        <div class="yk-field-msg" role="alert">
          {message(formError)}
        </div>
      )}
      <button type="submit" class="yk-primary-btn" disabled={busy}>
        {busy ? t('loading') : t('form_submit')}
      </button>
    </form>
  );
}
