import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { STATUSES } from './inboxState';

const COLOURS: Record<string, string> = { open: 'green', pending: 'gold', resolved: 'default', closed: 'default' };

export function StatusTag({ status }: { status: string }) {
  const { t } = useTranslation();
  const known = (STATUSES as readonly string[]).includes(status);
  return (
    <Tag color={COLOURS[status] ?? 'default'} variant="filled" style={{ marginInlineEnd: 0 }}>
      {known ? t(`inbox.status.${status}`) : status}
    </Tag>
  );
}
