import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { Button, Card, Flex, Input, Select, Table, Typography, type TableProps } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { NewTicketModal } from './NewTicketModal';
import { PRIORITIES, SlaCountdown, TicketPriorityTag, TicketStateTag } from './TicketTags';
import { useCategories, useTickets, useWorkflow, type TicketFilters } from './queries';
import { useNames } from './useNames';
import { PageHeader } from '../layout/PageHeader';
import { useUsers } from '../users/queries';
import { useTeams } from '../teams/queries';
import { useCurrentSession } from '../auth/session';
import { describeError } from '../../api/errorText';
import { formatDateTime } from '../../i18n/format';
import type { Ticket } from '../../api/types';
import styles from './Tickets.module.css';

/** `/tickets`: every ticket of the account, newest first, with filters and each one's SLA countdown. */
export default function TicketsPage() {
  const { t } = useTranslation();
  const { account, user: me } = useCurrentSession();
  const [filters, setFilters] = useState<TicketFilters>({});
  const [creating, setCreating] = useState(false);
  const tickets = useTickets(filters);
  const workflow = useWorkflow();
  const categories = useCategories();
  const users = useUsers();
  const teams = useTeams();
  const names = useNames(workflow.data);
  const rows = useMemo(() => tickets.data?.pages.flatMap((page) => page.items) ?? [], [tickets.data]);

  const set = (key: keyof TicketFilters, value: string | number | null | undefined) =>
    setFilters((f) => {
      const next: Record<string, string | number> = { ...f };
      if (value === undefined || value === null || value === '') delete next[key];
      else next[key] = value;
      return next as TicketFilters;
    });

  const columns: TableProps<Ticket>['columns'] = [
    {
      title: t('tickets.fields.number'),
      dataIndex: 'number',
      width: 120,
      render: (_, ticket) => (
        <Link to={`/tickets/${ticket.id}`} className={styles.number}>
          {ticket.number}
        </Link>
      ),
    },
    {
      title: t('tickets.fields.title'),
      dataIndex: 'title',
      ellipsis: true,
      render: (_, ticket) => <Link to={`/tickets/${ticket.id}`}>{ticket.title}</Link>,
    },
    {
      title: t('tickets.fields.status'),
      dataIndex: 'status',
      width: 120,
      render: (_, ticket) => <TicketStateTag name={names.state(ticket.status)} kind={ticket.status_kind} />,
    },
    {
      title: t('tickets.fields.priority'),
      dataIndex: 'priority',
      width: 100,
      render: (_, ticket) => <TicketPriorityTag priority={ticket.priority} />,
    },
    {
      title: t('tickets.fields.assignee'),
      dataIndex: 'assignee_id',
      width: 140,
      ellipsis: true,
      render: (_, ticket) =>
        ticket.assignee_id != null ? names.user(ticket.assignee_id) : <Typography.Text type="secondary">{t('tickets.unassigned')}</Typography.Text>,
    },
    {
      title: t('tickets.fields.sla'),
      key: 'sla',
      width: 210,
      render: (_, ticket) => <SlaCountdown sla={ticket.sla} />,
    },
    {
      title: t('tickets.fields.updatedAt'),
      dataIndex: 'updated_at',
      width: 170,
      render: (_, ticket) => formatDateTime(ticket.updated_at, account.timezone),
    },
  ];

  const userOptions = [
    { value: me.id, label: t('tickets.filters.me') },
    ...(users.data ?? []).filter((u) => u.id !== me.id).map((u) => ({ value: u.id, label: u.name })),
  ];
  const selects: Array<{ key: Exclude<keyof TicketFilters, 'q'>; label: string; options: Array<{ value: string | number; label: string }>; searchable?: boolean }> = [
    { key: 'status', label: t('tickets.fields.status'), options: (workflow.data?.states ?? []).map((s) => ({ value: s.key, label: s.name })) },
    { key: 'priority', label: t('tickets.fields.priority'), options: PRIORITIES.map((p) => ({ value: p, label: t(`tickets.priority.${p}`) })) },
    { key: 'assignee_id', label: t('tickets.fields.assignee'), options: userOptions, searchable: true },
    { key: 'team_id', label: t('tickets.fields.team'), options: (teams.data ?? []).map((x) => ({ value: x.id, label: x.name })) },
    { key: 'category_id', label: t('tickets.fields.category'), options: (categories.data ?? []).map((c) => ({ value: c.id, label: c.name })) },
  ];

  return (
    <>
      <PageHeader
        title={t('tickets.title')}
        description={t('tickets.description')}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            {t('tickets.new')}
          </Button>
        }
      />
      <Flex gap={8} wrap className={styles.filters} role="search" aria-label={t('tickets.filters.label')}>
        <Input.Search
          allowClear
          placeholder={t('tickets.filters.search')}
          aria-label={t('tickets.filters.search')}
          onSearch={(q) => set('q', q.trim())}
          className={styles.search}
        />
        {selects.map((f) => (
          <Select<string | number>
            key={f.key}
            allowClear
            showSearch={f.searchable ? { optionFilterProp: 'label' } : undefined}
            placeholder={f.label}
            aria-label={f.label}
            value={filters[f.key]}
            onChange={(v) => set(f.key, v)}
            options={f.options}
            className={styles.filter}
          />
        ))}
      </Flex>
      <Card variant="outlined" styles={{ body: { padding: 0 } }}>
        <Table<Ticket>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={rows}
          loading={tickets.isPending}
          pagination={false}
          scroll={{ x: 960 }}
          locale={{ emptyText: tickets.isError ? describeError(t, tickets.error) : t('tickets.empty') }}
        />
      </Card>
      {tickets.hasNextPage && (
        <Flex justify="center" className={styles.more}>
          <Button onClick={() => void tickets.fetchNextPage()} loading={tickets.isFetchingNextPage}>
            {t('tickets.loadMore')}
          </Button>
        </Flex>
      )}
      <NewTicketModal open={creating} onClose={() => setCreating(false)} />
    </>
  );
}
