import type { TFunction } from 'i18next';
import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { STATUSES } from './trace';
import styles from './Routing.module.css';

export const STATUS_COLOURS: Record<string, string> = { online: '#22c55e', busy: '#f97316', away: '#eab308', offline: '#9ca3af' };
const TAG_COLOURS: Record<string, string> = { online: 'green', busy: 'orange', away: 'gold', offline: 'default' };

export function statusLabel(t: TFunction, status: string): string {
  return (STATUSES as readonly string[]).includes(status) ? t(`routing.status.${status}`) : status;
}

/** A coloured dot for an availability. */
export function StatusDot({ status }: { status: string }) {
  return <span className={styles.dot} style={{ background: STATUS_COLOURS[status] ?? '#9ca3af' }} aria-hidden />;
}

/** An agent's availability. */
export function AgentStatusTag({ status }: { status: string }) {
  const { t } = useTranslation();
  return (
    <Tag color={TAG_COLOURS[status] ?? 'default'} variant="filled" style={{ marginInlineEnd: 0 }}>
      {statusLabel(t, status)}
    </Tag>
  );
}
