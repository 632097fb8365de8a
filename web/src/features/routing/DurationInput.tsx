import { useState } from 'react';
import { InputNumber, Select, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { UNITS, UNIT_SECONDS, bestUnit, type Unit } from './duration';
import styles from './Routing.module.css';

/**
 * A length of time in seconds, entered as an amount and a unit. Empty is `null` (for settings
 * where empty means "never").
 */
export function DurationInput({
  value,
  onChange,
  units = UNITS,
  min = 0,
  placeholder,
  disabled,
  id,
  'aria-label': ariaLabel,
}: {
  value?: number | null;
  onChange?: (value: number | null) => void;
  units?: readonly Unit[];
  min?: number;
  placeholder?: string;
  disabled?: boolean;
  id?: string;
  'aria-label'?: string;
}) {
  const { t } = useTranslation();
  const fitting = (secs: number): Unit => units.find((u) => secs % UNIT_SECONDS[u] === 0) ?? bestUnit(secs);
  const [unit, setUnit] = useState<Unit>(() => fitting(value ?? 0));
  // A value from outside (a reset) that the chosen unit cannot show exactly picks its own unit.
  const shown: Unit = value != null && value % UNIT_SECONDS[unit] !== 0 ? fitting(value) : unit;
  const amount = value == null ? null : value / UNIT_SECONDS[shown];

  return (
    <Space.Compact className={styles.durationInput}>
      <InputNumber<number>
        id={id}
        value={amount}
        min={min}
        precision={0}
        placeholder={placeholder}
        disabled={disabled}
        aria-label={ariaLabel}
        onChange={(next) => onChange?.(typeof next === 'number' ? next * UNIT_SECONDS[shown] : null)}
        className={styles.amountInput}
      />
      <Select<Unit>
        value={shown}
        disabled={disabled}
        aria-label={ariaLabel ? t('routing.cond.unitOf', { name: ariaLabel }) : undefined}
        onChange={(next) => {
          setUnit(next);
          if (amount !== null) onChange?.(amount * UNIT_SECONDS[next]);
        }}
        options={units.map((u) => ({ value: u, label: t(`routing.units.${u}`) }))}
        popupMatchSelectWidth={false}
        className={styles.unitSelect}
      />
    </Space.Compact>
  );
}
