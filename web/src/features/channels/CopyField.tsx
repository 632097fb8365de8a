import type { ReactNode } from 'react';
import { App as AntApp, Button } from 'antd';
import { CopyOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import styles from './Channels.module.css';

export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** A read-only value in a code box with a copy button (and optional extra actions). */
export function CopyField({
  value,
  label,
  multiline = false,
  stacked = false,
  extra,
}: {
  value: string;
  label: string;
  multiline?: boolean;
  /** Buttons below the value (narrow cards). */
  stacked?: boolean;
  extra?: ReactNode;
}) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const copy = async () => {
    if (await copyText(value)) void message.success(t('channels.copied'));
    else void message.error(t('channels.copyFailed'));
  };
  return (
    <div className={stacked ? `${styles.copyField} ${styles.copyStacked}` : styles.copyField}>
      <code className={multiline ? styles.codeBlock : styles.codeLine} aria-label={label}>
        {value}
      </code>
      <div className={styles.copyActions}>
        {extra}
        <Button icon={<CopyOutlined />} onClick={() => void copy()} aria-label={t('channels.copyNamed', { name: label })}>
          {t('channels.copy')}
        </Button>
      </div>
    </div>
  );
}
