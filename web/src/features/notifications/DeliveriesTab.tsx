import { useState } from 'react';
import { Link } from 'react-router';
import { Button, Card, Descriptions, Flex, InputNumber, Select, Table, Tag, Tooltip, Typography, type TableProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { describeError } from '../../api/errorText';
import type { NotificationDelivery } from '../../api/types';
import { formatDateTime } from '../../i18n/format';
import { useCurrentSession } from '../auth/session';
import { DELIVERY_STATUSES, MEDIA, readSkipReason } from './model';
import { useDeliveries, type DeliveryFilter } from './queries';
import styles from './Notifications.module.css';

const STATUS_COLOR: Record<string, string> = {
  queued: 'default',
  sending: 'processing',
  sent: 'blue',
  delivered: 'green',
  failed: 'red',
  skipped: 'orange',
};

/** Every notice sent or not sent, with the provider's answer and why a notice was skipped (N6, N7). */
export function DeliveriesTab() {
  const { t } = useTranslation();
  const { account } = useCurrentSession();
  const [filter, setFilter] = useState<DeliveryFilter>({});
  const deliveries = useDeliveries(filter);
  const when = (ms: number | null | undefined) => (ms ? formatDateTime(ms, account.timezone) : '—');
  const change = (patch: DeliveryFilter) =>
    setFilter((f) => Object.fromEntries(Object.entries({ ...f, ...patch }).filter(([, v]) => v !== undefined && v !== null)));

  const columns: TableProps<NotificationDelivery>['columns'] = [
    { title: t('notifications.deliveries.time'), width: 170, render: (_, d) => when(d.created_at) },
    {
      title: t('notifications.deliveries.ticket'),
      width: 90,
      render: (_, d) => (d.ticket_id ? <Link to={`/tickets/${d.ticket_id}`}>#{d.ticket_id}</Link> : '—'),
    },
    {
      title: t('notifications.deliveries.recipient'),
      render: (_, d) =>
        `${t(`notifications.recipientKinds.${d.recipient_kind}`, { defaultValue: d.recipient_kind })}${
          d.contact_id ? ` #${d.contact_id}` : d.user_id ? ` #${d.user_id}` : ''
        }`,
    },
    { title: t('notifications.deliveries.medium'), render: (_, d) => t(`notifications.media.${d.medium}`, { defaultValue: d.medium }) },
    {
      title: t('notifications.deliveries.subject'),
      render: (_, d) => (
        <Typography.Text ellipsis style={{ maxWidth: 280 }}>
          {d.subject || d.body}
        </Typography.Text>
      ),
    },
    {
      title: t('notifications.deliveries.status'),
      render: (_, d) => {
        const skip = readSkipReason(d.skip_reason);
        return (
          <Flex vertical gap={2}>
            <span>
              <Tag color={STATUS_COLOR[d.status] ?? 'default'}>{t(`notifications.statuses.${d.status}`, { defaultValue: d.status })}</Tag>
              {d.important && <Tag color="red">{t('notifications.rules.importantTag')}</Tag>}
            </span>
            {skip && (
              <Tooltip title={skip.details || undefined}>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t(`notifications.skipReasons.${skip.code}`, { defaultValue: skip.code })}
                </Typography.Text>
              </Tooltip>
            )}
            {d.last_error && (
              <Typography.Text type="danger" style={{ fontSize: 12 }} ellipsis>
                {d.last_error}
              </Typography.Text>
            )}
          </Flex>
        );
      },
    },
    { title: t('notifications.deliveries.attempts'), width: 80, dataIndex: 'attempts' },
  ];

  return (
    <>
      <Typography.Paragraph type="secondary">{t('notifications.deliveries.description')}</Typography.Paragraph>
      <Flex gap={8} wrap className={styles.filters}>
        <Select
          allowClear
          style={{ width: 160 }}
          placeholder={t('notifications.deliveries.anyStatus')}
          aria-label={t('notifications.deliveries.status')}
          value={filter.status ?? null}
          onChange={(v: string | undefined) => change({ status: v ?? undefined })}
          options={DELIVERY_STATUSES.map((s) => ({ value: s, label: t(`notifications.statuses.${s}`) }))}
        />
        <Select
          allowClear
          style={{ width: 160 }}
          placeholder={t('notifications.deliveries.anyMedium')}
          aria-label={t('notifications.deliveries.medium')}
          value={filter.medium ?? null}
          onChange={(v: string | undefined) => change({ medium: v ?? undefined })}
          options={[...MEDIA, 'push'].map((m) => ({ value: m, label: t(`notifications.media.${m}`) }))}
        />
        <InputNumber
          min={1}
          precision={0}
          style={{ width: 160 }}
          placeholder={t('notifications.deliveries.ticketId')}
          aria-label={t('notifications.deliveries.ticketId')}
          value={filter.ticket_id ?? null}
          onChange={(v) => change({ ticket_id: typeof v === 'number' ? v : undefined })}
        />
      </Flex>
      <Card variant="outlined" styles={{ body: { padding: 0 } }}>
        <Table<NotificationDelivery>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={deliveries.data ?? []}
          loading={deliveries.isFetching && !deliveries.isFetchingNextPage}
          pagination={false}
          locale={{ emptyText: deliveries.isError ? describeError(t, deliveries.error) : t('notifications.deliveries.empty') }}
          expandable={{
            expandedRowRender: (d) => (
              <Descriptions size="small" column={1} bordered>
                <Descriptions.Item label={t('notifications.deliveries.body')}>
                  <pre className={styles.previewBody}>{d.body}</pre>
                </Descriptions.Item>
                <Descriptions.Item label={t('notifications.deliveries.noticeKind')}>
                  {d.notice_kind ? t(`notifications.noticeKinds.${d.notice_kind}`, { defaultValue: d.notice_kind }) : '—'}
                </Descriptions.Item>
                <Descriptions.Item label={t('notifications.deliveries.timeline')}>
                  {t('notifications.deliveries.timelineText', {
                    sent: when(d.sent_at),
                    confirmed: when(d.confirmed_at),
                    opened: when(d.opened_at),
                    clicked: when(d.clicked_at),
                  })}
                </Descriptions.Item>
                {d.skip_reason !== null && d.skip_reason !== undefined && (
                  <Descriptions.Item label={t('notifications.deliveries.skipReason')}>
                    <pre className={styles.response}>{JSON.stringify(d.skip_reason)}</pre>
                  </Descriptions.Item>
                )}
                {d.failover_from && (
                  <Descriptions.Item label={t('notifications.deliveries.failoverFrom')}>#{d.failover_from}</Descriptions.Item>
                )}
                <Descriptions.Item label={t('notifications.deliveries.lastError')}>{d.last_error || '—'}</Descriptions.Item>
                <Descriptions.Item label={t('notifications.deliveries.providerResponse')}>
                  {d.last_response ? <pre className={styles.response}>{d.last_response}</pre> : '—'}
                </Descriptions.Item>
              </Descriptions>
            ),
          }}
        />
      </Card>
      {deliveries.hasNextPage && (
        <Flex justify="center" style={{ marginTop: 12 }}>
          <Button onClick={() => void deliveries.fetchNextPage()} loading={deliveries.isFetchingNextPage}>
            {t('notifications.deliveries.more')}
          </Button>
        </Flex>
      )}
    </>
  );
}
