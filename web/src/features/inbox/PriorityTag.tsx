import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;

const COLOURS: Record<string, string | undefined> = { low: 'cyan', normal: 'default', high: 'orange', urgent: 'red' };

export function PriorityTag({ priority, compact = false }: { priority: string; compact?: boolean }) {
  const { t } = useTranslation();
  const known = (PRIORITIES as readonly string[]).includes(priority);
  return (
    <Tag
      color={COLOURS[priority] ?? 'default'}
      variant="filled"
      style={compact ? { marginInlineEnd: 0, fontSize: 11, lineHeight: '18px', paddingInline: 6 } : { marginInlineEnd: 0 }}
    >
      {known ? t(`inbox.priority.${priority}`) : priority}
    </Tag>
  );
}
