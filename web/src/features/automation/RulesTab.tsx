import { useState } from 'react';
import { Alert, App as AntApp, Button, Card, Descriptions, Drawer, Empty, Flex, Popconfirm, Skeleton, Space, Statistic, Table, Tag, Typography } from 'antd';
import { DeleteOutlined, EditOutlined, ExperimentOutlined, HistoryOutlined, PlusOutlined, WarningOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useCurrentSession } from '../auth/session';
import { describeError } from '../../api/errorText';
import { asString } from '../../api/open';
import { formatDateTime } from '../../i18n/format';
import type { AutomationRule, ScanReport } from '../todos/types';
import { useAutomationRules, useDeleteRule, useRuleRuns, useScanRule } from './queries';
import { RuleDrawer } from './RuleDrawer';

const pct = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 100) : 0);

/** A rule's trigger in a few words. */
function TriggerText({ trigger }: { trigger: AutomationRule['trigger'] }) {
  const { t } = useTranslation();
  const tr = trigger as Record<string, unknown>;
  const kind = asString(tr.kind);
  if (kind === 'event') {
    const event = asString(tr.event);
    return (
      <span>
        {t(`automation.events.${event.replace('.', '_')}`, event)}
        {asString(tr.key) && <Tag style={{ marginLeft: 6 }}>{asString(tr.key)}</Tag>}
      </span>
    );
  }
  return <span>{t(`automation.trigger.kinds.${kind}`, kind)}</span>;
}

/** Figures of one rule (D7): generated, open, completed (late), ignored, cancelled; suggestions as warnings. */
export function RuleStats({ rule }: { rule: AutomationRule }) {
  const { t } = useTranslation();
  const s = rule.stats;
  const closed = s.completed + s.ignored + s.cancelled;
  return (
    <Space orientation="vertical" size={4} style={{ width: '100%' }}>
      <Space size={4} wrap>
        <Tag>{t('automation.stats.generated', { n: s.generated })}</Tag>
        <Tag color="blue">{t('automation.stats.open', { n: s.open })}</Tag>
        <Tag color="green">{t('automation.stats.completed', { n: s.completed, pct: pct(s.completed, closed) })}</Tag>
        <Tag color="orange">{t('automation.stats.late', { n: s.completed_late, pct: pct(s.completed_late, s.completed) })}</Tag>
        <Tag color="red">{t('automation.stats.ignored', { n: s.ignored })}</Tag>
        <Tag>{t('automation.stats.cancelled', { n: s.cancelled })}</Tag>
      </Space>
      {s.suggestions.map((x) => (
        <Alert
          key={x.code}
          type="warning"
          showIcon
          icon={<WarningOutlined />}
          title={t(`automation.suggestions.${x.code}`, { defaultValue: x.message })}
          description={x.message}
        />
      ))}
    </Space>
  );
}

function ScanResult({ report }: { report: ScanReport }) {
  const { t } = useTranslation();
  return (
    <Card size="small" title={report.dry_run ? t('automation.scan.dryRunTitle') : t('automation.scan.title')} data-testid="scan-report">
      <Flex gap={24} wrap>
        <Statistic title={t('automation.scan.contacts')} value={report.contacts} />
        <Statistic title={t('automation.scan.matched')} value={report.matched} />
        <Statistic title={report.dry_run ? t('automation.scan.wouldCreate') : t('automation.scan.created')} value={report.created} />
        <Statistic title={t('automation.scan.suppressed')} value={report.suppressed} />
        <Statistic title={t('automation.scan.skipped')} value={report.skipped} />
        <Statistic title={t('automation.scan.took')} value={report.took_ms} suffix="ms" />
      </Flex>
    </Card>
  );
}

/** The runs and scans of one rule, with a dry-run scan for customer-state rules. */
function RunsDrawer({ rule, onClose }: { rule: AutomationRule | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const { account } = useCurrentSession();
  const runs = useRuleRuns(rule?.id ?? null);
  const scan = useScanRule();
  const [report, setReport] = useState<ScanReport | null>(null);
  const customerState = rule && asString((rule.trigger as Record<string, unknown>).kind) !== 'event';
  const counts = new Map<string, number>();
  for (const r of runs.data?.runs ?? []) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);

  const runScan = (dryRun: boolean) =>
    rule &&
    scan.mutate(
      { id: rule.id, dryRun },
      { onSuccess: setReport, onError: (error) => void message.error(describeError(t, error)) },
    );

  return (
    <Drawer open={rule !== null} onClose={() => { setReport(null); onClose(); }} size={760} title={t('automation.runs.title', { name: rule?.name ?? '' })}>
      {rule && (
        <Space orientation="vertical" size={16} style={{ width: '100%' }}>
          {customerState && (
            <Space wrap>
              <Button icon={<ExperimentOutlined />} loading={scan.isPending && scan.variables?.dryRun} onClick={() => runScan(true)}>
                {t('automation.scan.dryRun')}
              </Button>
              <Popconfirm title={t('automation.scan.confirm')} onConfirm={() => runScan(false)}>
                <Button loading={scan.isPending && !scan.variables?.dryRun}>{t('automation.scan.run')}</Button>
              </Popconfirm>
            </Space>
          )}
          {report && <ScanResult report={report} />}
          {runs.isPending ? (
            <Skeleton active />
          ) : runs.isError ? (
            <Alert type="error" showIcon title={describeError(t, runs.error)} />
          ) : (
            <>
              <Descriptions size="small" column={4}>
                {['done', 'skipped', 'suppressed', 'handled'].map((o) => (
                  <Descriptions.Item key={o} label={t(`automation.outcome.${o}`)}>
                    {counts.get(o) ?? 0}
                  </Descriptions.Item>
                ))}
              </Descriptions>
              <Table
                size="small"
                rowKey="id"
                pagination={{ pageSize: 20 }}
                dataSource={runs.data.runs}
                locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('automation.runs.none')} /> }}
                columns={[
                  { title: t('automation.runs.at'), dataIndex: 'created_at', render: (v: number) => formatDateTime(v, account.timezone) },
                  {
                    title: t('automation.runs.outcome'),
                    dataIndex: 'outcome',
                    render: (v: string) => (
                      <Tag color={v === 'done' ? 'green' : v === 'suppressed' ? 'orange' : v === 'skipped' ? 'default' : 'blue'}>
                        {t(`automation.outcome.${v}`, v)}
                      </Tag>
                    ),
                  },
                  { title: t('automation.runs.subject'), dataIndex: 'subject' },
                  { title: t('automation.runs.reason'), dataIndex: 'reason', render: (v: string | null) => v ?? '' },
                ]}
              />
              {runs.data.scans.length > 0 && (
                <>
                  <Typography.Title level={5}>{t('automation.runs.scans')}</Typography.Title>
                  <Table
                    size="small"
                    rowKey="id"
                    pagination={false}
                    dataSource={runs.data.scans}
                    columns={[
                      { title: t('automation.runs.at'), dataIndex: 'started_at', render: (v: number) => formatDateTime(v, account.timezone) },
                      { title: t('automation.scan.contacts'), dataIndex: 'contacts' },
                      { title: t('automation.scan.matched'), dataIndex: 'matched' },
                      { title: t('automation.scan.created'), dataIndex: 'created' },
                      { title: t('automation.scan.suppressed'), dataIndex: 'suppressed' },
                      { title: t('automation.scan.skipped'), dataIndex: 'skipped' },
                      { title: t('automation.scan.took'), dataIndex: 'took_ms', render: (v: number) => `${v} ms` },
                    ]}
                  />
                </>
              )}
            </>
          )}
        </Space>
      )}
    </Drawer>
  );
}

/** Automation rules with their analytics, runs and scans. */
export function RulesTab() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const { account } = useCurrentSession();
  const rules = useAutomationRules();
  const remove = useDeleteRule();
  const [editing, setEditing] = useState<AutomationRule | null>(null);
  const [formOpen, setFormOpen] = useState(false);
  const [runsOf, setRunsOf] = useState<AutomationRule | null>(null);

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Flex justify="space-between" align="center">
        <Typography.Text type="secondary">{t('automation.rules.intro')}</Typography.Text>
        <Button
          type="primary"
          icon={<PlusOutlined />}
          onClick={() => {
            setEditing(null);
            setFormOpen(true);
          }}
        >
          {t('automation.rules.new')}
        </Button>
      </Flex>
      {rules.isPending ? (
        <Skeleton active />
      ) : rules.isError ? (
        <Alert type="error" showIcon title={describeError(t, rules.error)} />
      ) : (
        <Table<AutomationRule>
          rowKey="id"
          dataSource={rules.data}
          pagination={false}
          locale={{ emptyText: <Empty description={t('automation.rules.none')} /> }}
          columns={[
            {
              title: t('automation.rules.name'),
              dataIndex: 'name',
              render: (_: string, r) => (
                <Space orientation="vertical" size={0}>
                  <Typography.Text strong>{r.name}</Typography.Text>
                  {r.goal && <Typography.Text type="secondary">{r.goal}</Typography.Text>}
                  <Space size={4}>
                    {!r.active && <Tag>{t('automation.rules.inactive')}</Tag>}
                    <Tag>{t('automation.rules.priorityN', { n: r.priority })}</Tag>
                  </Space>
                </Space>
              ),
            },
            { title: t('automation.trigger.title'), dataIndex: 'trigger', render: (v: AutomationRule['trigger']) => <TriggerText trigger={v} /> },
            { title: t('automation.stats.title'), key: 'stats', width: '42%', render: (_: unknown, r) => <RuleStats rule={r} /> },
            {
              title: t('automation.rules.lastFired'),
              dataIndex: 'last_fired_at',
              render: (v: number | null) => (v ? formatDateTime(v, account.timezone) : t('automation.rules.neverFired')),
            },
            {
              key: 'ops',
              render: (_: unknown, r) => (
                <Space size={4}>
                  <Button size="small" icon={<EditOutlined />} aria-label={t('automation.rules.editOf', { name: r.name })} onClick={() => { setEditing(r); setFormOpen(true); }} />
                  <Button size="small" icon={<HistoryOutlined />} aria-label={t('automation.runs.of', { name: r.name })} onClick={() => setRunsOf(r)} />
                  <Popconfirm
                    title={t('automation.rules.deleteConfirm', { name: r.name })}
                    onConfirm={() =>
                      remove.mutate(r.id, {
                        onSuccess: () => void message.success(t('automation.rules.deleted', { name: r.name })),
                        onError: (error) => void message.error(describeError(t, error)),
                      })
                    }
                  >
                    <Button size="small" danger icon={<DeleteOutlined />} aria-label={t('automation.rules.deleteOf', { name: r.name })} />
                  </Popconfirm>
                </Space>
              ),
            },
          ]}
        />
      )}
      <RuleDrawer open={formOpen} rule={editing} onClose={() => setFormOpen(false)} />
      <RunsDrawer rule={runsOf} onClose={() => setRunsOf(null)} />
    </Space>
  );
}
