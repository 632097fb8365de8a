import { Form, Input, InputNumber, Select, Switch } from 'antd';
import { useTranslation } from 'react-i18next';
import type { FieldDef } from './customFields';

/** One form item per custom field of a category, under `['custom', key]`, typed by the field's kind. */
export function CustomFieldInputs({ defs }: { defs: readonly FieldDef[] }) {
  const { t } = useTranslation();
  return (
    <>
      {defs.map((def) => {
        const rules = def.required && def.kind !== 'boolean' ? [{ required: true, message: t('validation.required') }] : [];
        const common = { name: ['custom', def.key], label: def.label, rules };
        switch (def.kind) {
          case 'number':
            return (
              <Form.Item key={def.key} {...common}>
                <InputNumber<number> style={{ width: '100%' }} />
              </Form.Item>
            );
          case 'boolean':
            return (
              <Form.Item key={def.key} {...common} valuePropName="checked">
                <Switch />
              </Form.Item>
            );
          case 'date':
            return (
              <Form.Item key={def.key} {...common}>
                <Input type="date" />
              </Form.Item>
            );
          case 'list':
            return (
              <Form.Item key={def.key} {...common}>
                <Select allowClear options={def.options.map((o) => ({ value: o, label: o }))} />
              </Form.Item>
            );
          default:
            return (
              <Form.Item key={def.key} {...common}>
                <Input maxLength={1000} />
              </Form.Item>
            );
        }
      })}
    </>
  );
}

/** `custom.refund_amount` → `['custom', 'refund_amount']`; other API fields map to themselves when listed. */
export function ticketFormPath(known: readonly string[]) {
  return (field: string): Array<string | number> | null => {
    if (field.startsWith('custom.')) return ['custom', field.slice('custom.'.length)];
    return known.includes(field) ? [field] : null;
  };
}
