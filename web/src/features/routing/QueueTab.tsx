import { Link } from 'react-router';
import { Badge, Card, Flex, Table, Tooltip, Typography, type TableProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { useQueue } from './queries';
import { useDirectory } from './names';
import { formatDuration } from './duration';
import { useNow } from './useNow';
import { PriorityTag } from '../inbox/PriorityTag';
import { describeError } from '../../api/errorText';
import { formatDateTime } from '../../i18n/format';
import type { QueueEntry } from '../../api/types';
import styles from './Routing.module.css';

/** Conversations waiting for an agent, in service order; asked for again every five seconds. */
export function QueueTab() {
  const { t } = useTranslation();
  const queue = useQueue();
  const names = useDirectory();
  const now = useNow();

  const columns: TableProps<QueueEntry>['columns'] = [
    { title: t('routing.queue.position'), dataIndex: 'position', width: 80, align: 'right' },
    {
      title: t('routing.queue.conversation'),
      dataIndex: 'conversation_id',
      render: (_, entry) => (
        <Link to={`/inbox/${entry.conversation_id}`}>{t('routing.queue.conversationId', { id: entry.conversation_id })}</Link>
      ),
    },
    {
      title: t('routing.queue.priority'),
      dataIndex: 'priority',
      width: 100,
      render: (_, entry) => <PriorityTag priority={entry.priority} />,
    },
    {
      title: t('routing.queue.team'),
      dataIndex: 'team_id',
      render: (_, entry) => (entry.team_id != null ? names.team(entry.team_id) : t('routing.route.anyAgent')),
    },
    {
      title: t('routing.queue.waited'),
      dataIndex: 'queued_at',
      width: 150,
      render: (_, entry) => (
        <time dateTime={entry.queued_at} title={formatDateTime(entry.queued_at)}>
          {formatDuration(t, (now - new Date(entry.queued_at).getTime()) / 1000)}
        </time>
      ),
    },
    {
      title: t('routing.queue.estimate'),
      dataIndex: 'estimated_wait_secs',
      width: 150,
      render: (_, entry) =>
        entry.estimated_wait_secs != null ? (
          formatDuration(t, entry.estimated_wait_secs)
        ) : (
          <Tooltip title={t('routing.queue.noEstimateHint')}>
            <Typography.Text type="secondary">—</Typography.Text>
          </Tooltip>
        ),
    },
  ];

  return (
    <>
      <Flex justify="space-between" align="center" gap={12} wrap className={styles.tabBar}>
        <Typography.Text type="secondary" className={styles.small}>
          {t('routing.queue.description')}
        </Typography.Text>
        <Badge status={queue.isError ? 'error' : 'processing'} text={t('routing.queue.live', { n: queue.data?.length ?? 0 })} />
      </Flex>
      <Card variant="outlined" styles={{ body: { padding: 0 } }}>
        <Table<QueueEntry>
          rowKey="conversation_id"
          size="middle"
          columns={columns}
          dataSource={queue.data ?? []}
          loading={queue.isPending}
          pagination={false}
          scroll={{ x: 720 }}
          locale={{ emptyText: queue.isError ? describeError(t, queue.error) : t('routing.queue.empty') }}
        />
      </Card>
    </>
  );
}
