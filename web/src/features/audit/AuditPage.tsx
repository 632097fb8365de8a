import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { Alert, Button, Card, Empty, Flex, Result, Select, Table, Typography, type TableProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { useCurrentSession } from '../auth/session';
import { canManage } from '../auth/roles';
import { PageHeader } from '../layout/PageHeader';
import { useUsers } from '../users/queries';
import { describeError } from '../../api/errorText';
import { formatDateTime, formatFullDateTime } from '../../i18n/format';
import {
  AUDIT_AREAS,
  AUDIT_GROUPS,
  areaLabel,
  describeEntry,
  parseWhat,
  type AuditDescription,
  type AuditEntry,
  type AuditWhat,
} from './describe';
import { useAuditLog, type AuditFilter } from './queries';
import styles from './Audit.module.css';

/** The URL's search parameters that hold the filters, so a reload or a shared link keeps them. */
const ACTOR_PARAM = 'actor';
const WHAT_PARAM = 'what';

/** An entry with its words. */
type Row = { entry: AuditEntry; text: AuditDescription };

function parseActor(value: string | null): number | null {
  if (value === null || !/^\d+$/.test(value)) return null;
  const id = Number(value);
  return id > 0 ? id : null;
}

function whatValue(what: AuditWhat | null): string {
  if (what === null) return '';
  return 'group' in what ? what.group : what.area;
}

/**
 * `/audit`: the audit trail of administration (admins and owners) — who changed which person,
 * team, channel, routing rule or setting, and when, newest first.
 */
export default function AuditPage() {
  const { t } = useTranslation();
  const { user } = useCurrentSession();
  if (!canManage(user.role)) return <Result status="403" title={t('audit.forbidden')} />;
  return <AuditTrail />;
}

function AuditTrail() {
  const { t } = useTranslation();
  const { account } = useCurrentSession();
  const [params, setParams] = useSearchParams();
  const filter: AuditFilter = useMemo(
    () => ({ actorId: parseActor(params.get(ACTOR_PARAM)), what: parseWhat(params.get(WHAT_PARAM)) }),
    [params],
  );
  const log = useAuditLog(filter);
  const users = useUsers();
  const rows = useMemo<Row[]>(
    () => (log.data?.pages.flatMap((page) => page.items) ?? []).map((entry) => ({ entry, text: describeEntry(t, entry) })),
    [log.data, t],
  );
  const filtered = filter.actorId !== null || filter.what !== null;

  const setParam = (key: string, value: string | number | null) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (value === null || value === '') next.delete(key);
        else next.set(key, String(value));
        return next;
      },
      { replace: true },
    );
  const clearFilters = () =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        next.delete(ACTOR_PARAM);
        next.delete(WHAT_PARAM);
        return next;
      },
      { replace: true },
    );

  const personOptions = [
    { value: '', label: t('audit.filters.anyone') },
    ...(users.data ?? []).map((u) => ({
      value: String(u.id),
      label: u.active ? u.name : t('audit.filters.deactivated', { name: u.name }),
    })),
  ];
  // A person not (or no longer) listed still shows as chosen, by number.
  if (filter.actorId !== null && !personOptions.some((o) => o.value === String(filter.actorId))) {
    personOptions.push({ value: String(filter.actorId), label: `${t('audit.subjects.user')} #${filter.actorId}` });
  }
  const whatOptions = [
    { value: '', label: t('audit.filters.anything') },
    {
      label: t('audit.filters.administration'),
      options: Object.keys(AUDIT_GROUPS).map((group) => ({ value: group, label: t(`audit.groups.${group}`) })),
    },
    {
      label: t('audit.filters.settingAreas'),
      options: AUDIT_AREAS.map((area) => ({ value: area, label: areaLabel(t, area) })),
    },
  ];

  // Names come from people: every cell is text, never markup.
  const columns: TableProps<Row>['columns'] = [
    {
      title: t('audit.columns.time'),
      key: 'time',
      width: 180,
      render: (_, { entry }) => (
        <time dateTime={entry.at} title={formatFullDateTime(entry.at, account.timezone)} className={styles.time}>
          {formatDateTime(entry.at, account.timezone)}
        </time>
      ),
    },
    {
      title: t('audit.columns.actor'),
      key: 'actor',
      width: 180,
      render: (_, { entry, text }) =>
        entry.actor_id === null || entry.actor_id === undefined ? (
          <Typography.Text type="secondary">{text.actor}</Typography.Text>
        ) : (
          <span className={styles.text}>{text.actor}</span>
        ),
    },
    {
      title: t('audit.columns.action'),
      key: 'action',
      render: (_, { text }) => <span className={styles.text}>{text.action}</span>,
    },
    {
      title: t('audit.columns.target'),
      key: 'target',
      render: (_, { text }) => <span className={styles.text}>{text.target}</span>,
    },
  ];

  const empty = filtered ? (
    <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('audit.noMatch')}>
      <Button onClick={clearFilters}>{t('audit.clearFilters')}</Button>
    </Empty>
  ) : (
    <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('audit.empty')} />
  );

  // A failed "load older" keeps what was shown and tries that page again.
  const retry = () => void (log.isFetchNextPageError ? log.fetchNextPage() : log.refetch());
  const failure = log.isError && (
    <Alert
      type="error"
      showIcon
      title={describeError(t, log.error)}
      action={
        <Button size="small" onClick={retry}>
          {t('common.retry')}
        </Button>
      }
      style={{ marginBottom: 12 }}
    />
  );

  return (
    <>
      <PageHeader title={t('audit.title')} description={t('audit.description')} />
      {failure}
      {!(log.isError && rows.length === 0) && (
        <Card variant="outlined" styles={{ body: { padding: 0 } }}>
          <Flex gap={8} wrap className={styles.toolbar} role="search" aria-label={t('audit.filters.label')}>
            <Select<string>
              showSearch={{ optionFilterProp: 'label' }}
              aria-label={t('audit.filters.person')}
              value={filter.actorId === null ? '' : String(filter.actorId)}
              onChange={(value) => setParam(ACTOR_PARAM, value)}
              options={personOptions}
              loading={users.isPending}
              className={styles.filter}
            />
            <Select<string>
              showSearch={{ optionFilterProp: 'label' }}
              aria-label={t('audit.filters.what')}
              value={whatValue(filter.what)}
              onChange={(value) => setParam(WHAT_PARAM, value)}
              options={whatOptions}
              className={styles.filter}
            />
          </Flex>
          <Table<Row>
            rowKey={(row) => row.entry.seq}
            size="middle"
            columns={columns}
            dataSource={rows}
            loading={log.isPending || (log.isFetching && log.isPlaceholderData)}
            pagination={false}
            scroll={{ x: 720 }}
            locale={{ emptyText: log.isPending ? ' ' : empty }}
          />
        </Card>
      )}
      {log.hasNextPage && !log.isFetchNextPageError && (
        <Flex justify="center" className={styles.more}>
          <Button onClick={() => void log.fetchNextPage()} loading={log.isFetchingNextPage}>
            {t('audit.loadMore')}
          </Button>
        </Flex>
      )}
    </>
  );
}
