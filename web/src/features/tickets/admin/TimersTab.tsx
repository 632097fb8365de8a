import { useMemo } from 'react';
import { App as AntApp, Button, Card, Flex, Table, Typography, type TableProps } from 'antd';
import { RedoOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useRerunTimer, useTimers } from '../queries';
import { useCurrentSession } from '../../auth/session';
import { describeError } from '../../../api/errorText';
import { formatDateTime } from '../../../i18n/format';
import type { Timer } from '../../../api/types';

/** Timers that failed every attempt (an SLA warning not recorded, a threshold refresh not run), with a re-run. */
export function TimersTab() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const { account } = useCurrentSession();
  const timers = useTimers('dead');
  const rerun = useRerunTimer();
  const rows = useMemo(() => timers.data?.pages.flatMap((p) => p.items) ?? [], [timers.data]);

  const columns: TableProps<Timer>['columns'] = [
    { title: 'ID', dataIndex: 'id', width: 70 },
    { title: t('timers.kind'), dataIndex: 'kind', width: 130 },
    { title: t('timers.key'), dataIndex: 'dedupe_key', ellipsis: true },
    { title: t('timers.runAt'), dataIndex: 'run_at', width: 170, render: (_, r) => formatDateTime(r.run_at, account.timezone) },
    { title: t('timers.attempts'), key: 'attempts', width: 90, render: (_, r) => `${r.attempts}/${r.max_attempts}` },
    {
      title: t('timers.lastError'),
      dataIndex: 'last_error',
      ellipsis: true,
      render: (_, r) => <Typography.Text type="danger">{r.last_error ?? '—'}</Typography.Text>,
    },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 110,
      align: 'right',
      render: (_, r) => (
        <Button
          size="small"
          icon={<RedoOutlined />}
          loading={rerun.isPending && rerun.variables === r.id}
          aria-label={t('timers.rerunNamed', { id: r.id })}
          onClick={() =>
            rerun.mutate(r.id, {
              onSuccess: () => void message.success(t('timers.rerunDone')),
              onError: (error) => void message.error(describeError(t, error)),
            })
          }
        >
          {t('timers.rerun')}
        </Button>
      ),
    },
  ];

  return (
    <>
      <Typography.Paragraph type="secondary">{t('timers.description')}</Typography.Paragraph>
      <Card variant="outlined" styles={{ body: { padding: 0 } }}>
        <Table<Timer>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={rows}
          loading={timers.isPending}
          pagination={false}
          scroll={{ x: 900 }}
          locale={{ emptyText: timers.isError ? describeError(t, timers.error) : t('timers.empty') }}
        />
      </Card>
      {timers.hasNextPage && (
        <Flex justify="center" style={{ marginTop: 12 }}>
          <Button onClick={() => void timers.fetchNextPage()} loading={timers.isFetchingNextPage}>
            {t('tickets.loadMore')}
          </Button>
        </Flex>
      )}
    </>
  );
}
