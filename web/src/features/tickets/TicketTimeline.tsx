import { Empty, Timeline, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { describeEntry, type Names } from './timeline';
import { formatDateTime } from '../../i18n/format';
import type { TimelineEntry } from '../../api/types';
import styles from './Tickets.module.css';

/** Every entry of a ticket's history, oldest first; internal notes stand out from replies. */
export function TicketTimeline({ entries, names }: { entries: readonly TimelineEntry[]; names: Names }) {
  const { t } = useTranslation();
  if (entries.length === 0) return <Empty description={t('tickets.timeline.empty')} />;
  return (
    <Timeline
      items={entries.map((entry) => {
        const view = describeEntry(t, entry, names);
        return {
          key: entry.id,
          color: view.tone,
          content: (
            <div data-testid="timeline-entry" data-kind={view.kind}>
              <Typography.Text strong={view.kind === 'reply' || view.kind === 'note'}>{view.summary}</Typography.Text>
              <span className={styles.entryMeta}>{formatDateTime(entry.created_at, names.timeZone)}</span>
              {view.kind === 'note' && (
                <Typography.Text type="warning" className={styles.entryMeta}>
                  {t('tickets.internalOnly')}
                </Typography.Text>
              )}
              {view.text && <div className={view.kind === 'note' ? styles.noteText : styles.entryText}>{view.text}</div>}
            </div>
          ),
        };
      })}
    />
  );
}
