import { Flex, Tag, Tooltip } from 'antd';
import { ClockCircleOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { URGENCY_COLOURS, countdownText, headlineStanding, readSla, standing, type SlaMetric } from './sla';
import { KIND_COLOURS } from './workflow';
import { useNow } from '../routing/useNow';
import { useCurrentSession } from '../auth/session';
import { formatDateTime } from '../../i18n/format';

export const PRIORITIES = ['p1', 'p2', 'p3', 'p4'] as const;
const PRIORITY_COLOURS: Record<string, string> = { p1: 'red', p2: 'orange', p3: 'blue', p4: 'default' };

export function TicketPriorityTag({ priority }: { priority: string }) {
  const { t } = useTranslation();
  const known = (PRIORITIES as readonly string[]).includes(priority);
  return (
    <Tag color={PRIORITY_COLOURS[priority] ?? 'default'} variant="filled" style={{ marginInlineEnd: 0 }}>
      {known ? t(`tickets.priority.${priority}`) : priority}
    </Tag>
  );
}

export function TicketStateTag({ name, kind }: { name: string; kind: string }) {
  return (
    <Tag color={KIND_COLOURS[kind] ?? 'default'} style={{ marginInlineEnd: 0 }}>
      {name}
    </Tag>
  );
}

function MetricTip({ metric }: { metric: SlaMetric }) {
  const { t } = useTranslation();
  const { account } = useCurrentSession();
  return (
    <div>
      <div>{t(`tickets.sla.metrics.${metric.metric}`, { defaultValue: metric.metric })}</div>
      {metric.dueAt !== null && <div>{t('tickets.sla.dueAt', { time: formatDateTime(metric.dueAt, account.timezone) })}</div>}
      {metric.warnAt !== null && <div>{t('tickets.sla.warnAt', { time: formatDateTime(metric.warnAt, account.timezone) })}</div>}
    </div>
  );
}

/** One metric's live countdown, coloured by urgency. */
export function SlaMetricTag({ metric, showName = false }: { metric: SlaMetric; showName?: boolean }) {
  const { t } = useTranslation();
  const now = useNow();
  const s = standing(metric, now);
  return (
    <Tooltip title={<MetricTip metric={metric} />}>
      <Tag color={URGENCY_COLOURS[s.urgency]} icon={<ClockCircleOutlined />} data-urgency={s.urgency} style={{ marginInlineEnd: 0 }}>
        {showName && `${t(`tickets.sla.metrics.${metric.metric}`, { defaultValue: metric.metric })} · `}
        {countdownText(t, s)}
      </Tag>
    </Tooltip>
  );
}

/** The ticket's most pressing SLA metric for lists; a dash without an SLA. */
export function SlaCountdown({ sla }: { sla: unknown }) {
  const now = useNow();
  const headline = headlineStanding(readSla(sla), now);
  if (!headline) return <span aria-label="—">—</span>;
  return (
    <Flex>
      <SlaMetricTag metric={headline.metric} showName />
    </Flex>
  );
}
