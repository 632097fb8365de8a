import { Input, InputNumber, Select, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { UNITS, type Unit } from './duration';
import { VALUE_TYPES, type TestValue, type ValueType } from './conditions';
import styles from './Routing.module.css';

/**
 * The input for a condition or fact value, by shape: text, number, yes/no, a typed scalar (with a
 * type switch on free-form fields), a list, a duration, a span of clock times or one clock time.
 */
export function ValueInput({
  value,
  onChange,
  label,
  typeSwitch = false,
  invalid = false,
  disabled = false,
  ago = false,
}: {
  value: TestValue;
  onChange: (value: TestValue) => void;
  /** Accessible name of the input. */
  label: string;
  /** Let the user choose text, number or yes/no (free-form fields). */
  typeSwitch?: boolean;
  invalid?: boolean;
  disabled?: boolean;
  /** A duration read as "that long ago" (simulated timestamps). */
  ago?: boolean;
}) {
  const { t } = useTranslation();
  const status = invalid ? ('error' as const) : undefined;
  const boolOptions = [
    { value: 'true', label: t('routing.bool.true') },
    { value: 'false', label: t('routing.bool.false') },
  ];
  const typeSelect = (type: ValueType, change: (type: ValueType) => void) => (
    <Select<ValueType>
      value={type}
      onChange={change}
      options={VALUE_TYPES.map((v) => ({ value: v, label: t(`routing.valueTypes.${v}`) }))}
      aria-label={t('routing.cond.valueTypeOf', { name: label })}
      className={styles.typeSelect}
      popupMatchSelectWidth={false}
      disabled={disabled}
    />
  );

  switch (value.shape) {
    case 'none':
      return null;
    case 'text':
      return (
        <Input
          value={value.text}
          onChange={(e) => onChange({ ...value, text: e.target.value })}
          aria-label={label}
          status={status}
          disabled={disabled}
          maxLength={1000}
        />
      );
    case 'clock':
      return (
        <Input
          value={value.text}
          onChange={(e) => onChange({ ...value, text: e.target.value.trim() })}
          aria-label={label}
          placeholder="HH:MM"
          maxLength={5}
          status={status}
          disabled={disabled}
          className={styles.clockInput}
        />
      );
    case 'number':
      return (
        <InputNumber<number>
          value={value.number}
          onChange={(number) => onChange({ ...value, number: typeof number === 'number' ? number : null })}
          aria-label={label}
          status={status}
          disabled={disabled}
          className={styles.numberInput}
        />
      );
    case 'bool':
      return (
        <Select<string>
          value={String(value.bool)}
          onChange={(v) => onChange({ ...value, bool: v === 'true' })}
          options={boolOptions}
          aria-label={label}
          status={status}
          disabled={disabled}
          className={styles.boolSelect}
        />
      );
    case 'scalar':
      return (
        <Space.Compact className={styles.valueCompact}>
          {typeSwitch && typeSelect(value.type, (type) => onChange({ ...value, type, text: type === 'bool' ? 'true' : '' }))}
          {value.type === 'bool' ? (
            <Select<string>
              value={value.text === 'false' ? 'false' : 'true'}
              onChange={(text) => onChange({ ...value, text })}
              options={boolOptions}
              aria-label={label}
              status={status}
              disabled={disabled}
              className={styles.boolSelect}
            />
          ) : (
            <Input
              value={value.text}
              onChange={(e) => onChange({ ...value, text: e.target.value })}
              aria-label={label}
              inputMode={value.type === 'number' ? 'decimal' : undefined}
              status={status}
              disabled={disabled}
              maxLength={1000}
            />
          )}
        </Space.Compact>
      );
    case 'list':
      return (
        <Space.Compact className={styles.valueCompact}>
          {typeSwitch && typeSelect(value.type, (type) => onChange({ ...value, type }))}
          <Select<string[]>
            mode="tags"
            open={false}
            value={value.items}
            onChange={(items) => onChange({ ...value, items: items.map((item) => item.trim()).filter(Boolean) })}
            tokenSeparators={[',', '，']}
            placeholder={t('routing.cond.listPlaceholder')}
            aria-label={label}
            status={status}
            disabled={disabled}
            className={styles.listSelect}
          />
        </Space.Compact>
      );
    case 'duration':
      return (
        <Space.Compact className={styles.valueCompact}>
          <InputNumber<number>
            value={value.amount}
            min={1}
            precision={0}
            onChange={(amount) => onChange({ ...value, amount: typeof amount === 'number' ? amount : null })}
            aria-label={label}
            status={status}
            disabled={disabled}
            className={styles.amountInput}
          />
          <Select<Unit>
            value={value.unit}
            onChange={(unit) => onChange({ ...value, unit })}
            options={UNITS.map((unit) => ({
              value: unit,
              label: ago ? t('routing.units.ago', { unit: t(`routing.units.${unit}`) }) : t(`routing.units.${unit}`),
            }))}
            aria-label={t('routing.cond.unitOf', { name: label })}
            disabled={disabled}
            popupMatchSelectWidth={false}
            className={styles.unitSelect}
          />
        </Space.Compact>
      );
    case 'span':
      return (
        <span className={styles.span}>
          <Input
            value={value.from}
            onChange={(e) => onChange({ ...value, from: e.target.value.trim() })}
            aria-label={t('routing.cond.fromOf', { name: label })}
            placeholder="09:00"
            maxLength={5}
            status={status}
            disabled={disabled}
            className={styles.clockInput}
          />
          <span aria-hidden>–</span>
          <Input
            value={value.to}
            onChange={(e) => onChange({ ...value, to: e.target.value.trim() })}
            aria-label={t('routing.cond.toOf', { name: label })}
            placeholder="18:00"
            maxLength={5}
            status={status}
            disabled={disabled}
            className={styles.clockInput}
          />
        </span>
      );
  }
}
