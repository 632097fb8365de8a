import { useState } from 'react';
import { Button, Empty, Skeleton, Tag, Typography } from 'antd';
import { DownOutlined, RightOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useConversationRouting } from './queries';
import { useDirectory } from './names';
import { TraceView } from './TraceView';
import { OUTCOMES, REASONS, readTrace } from './trace';
import { describeError } from '../../api/errorText';
import { formatDateTime, formatListTime } from '../../i18n/format';
import type { RoutingDecision } from '../../api/types';
import styles from './Routing.module.css';

/** A conversation's routing decisions, newest first, each with its trace on request. */
export function RoutingHistory({ conversationId }: { conversationId: number }) {
  const { t } = useTranslation();
  const decisions = useConversationRouting(conversationId);
  if (decisions.isPending) return <Skeleton active paragraph={{ rows: 1 }} title={false} />;
  if (decisions.isError) return <Typography.Text type="danger">{describeError(t, decisions.error)}</Typography.Text>;
  if (decisions.data.length === 0) {
    return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('routing.history.empty')} className={styles.smallEmpty} />;
  }
  const newest = [...decisions.data].sort((a, b) => b.decided_at.localeCompare(a.decided_at) || b.id - a.id);
  return (
    <ol className={styles.decisions}>
      {newest.map((d) => (
        <DecisionItem key={d.id} decision={d} />
      ))}
    </ol>
  );
}

function DecisionItem({ decision: d }: { decision: RoutingDecision }) {
  const { t } = useTranslation();
  const names = useDirectory();
  const [open, setOpen] = useState(false);
  const trace = readTrace(d.trace);
  const assigned = d.outcome === 'assigned';
  const rule =
    d.rule_id == null
      ? t('routing.trace.defaultRoute')
      : (trace.rules.find((r) => r.ruleId === d.rule_id)?.name ?? t('routing.trace.ruleN', { id: d.rule_id }));
  const reason = (REASONS as readonly string[]).includes(d.reason) ? t(`routing.reason.${d.reason}`) : d.reason;
  const outcome = (OUTCOMES as readonly string[]).includes(d.outcome) ? t(`routing.outcome.${d.outcome}`) : d.outcome;
  const target = assigned
    ? d.agent_id != null
      ? names.agent(d.agent_id)
      : ''
    : d.team_id != null
      ? names.team(d.team_id)
      : t('routing.route.anyAgent');

  return (
    <li className={styles.decision}>
      <div className={styles.decisionHead}>
        <Tag variant="filled" className={styles.tightTag}>
          {reason}
        </Tag>
        <Tag color={assigned ? 'green' : 'orange'} variant="filled" className={styles.tightTag}>
          {outcome}
        </Tag>
        <span className={styles.decisionTarget}>{target}</span>
        <time dateTime={d.decided_at} title={formatDateTime(d.decided_at)} className={styles.decisionTime}>
          {formatListTime(d.decided_at)}
        </time>
      </div>
      <div className={styles.decisionMeta}>
        {t('routing.history.rule', { name: rule })} · {t('routing.history.took', { ms: (d.duration_us / 1000).toFixed(2) })}
      </div>
      <Button
        type="link"
        size="small"
        icon={open ? <DownOutlined /> : <RightOutlined />}
        onClick={() => setOpen((v) => !v)}
        aria-expanded={open}
        className={styles.traceToggle}
      >
        {open ? t('routing.history.hideTrace') : t('routing.history.showTrace')}
      </Button>
      {open && <TraceView trace={d.trace} compact at={new Date(d.decided_at).getTime()} />}
    </li>
  );
}
