import type { ReactNode } from 'react';
import type { TFunction } from 'i18next';
import { Alert, Table, Tag, Tooltip, Typography, type TableProps } from 'antd';
import { CheckCircleFilled, CloseCircleOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { PriorityTag } from '../inbox/PriorityTag';
import { useDirectory, type Directory } from './names';
import { formatDuration } from './duration';
import {
  STRATEGIES,
  exclusionLabel,
  explainNote,
  rankCandidates,
  readTrace,
  type Trace,
  type TraceCandidate,
  type TraceScore,
} from './trace';
import styles from './Routing.module.css';

export function strategyLabel(t: TFunction, strategy: string): string {
  return (STRATEGIES as readonly string[]).includes(strategy) ? t(`routing.strategy.${strategy}`) : strategy;
}

function ago(t: TFunction, ms: number | null, nowMs: number): string {
  if (ms === null) return t('routing.trace.neverAssigned');
  return t('routing.trace.ago', { duration: formatDuration(t, (nowMs - ms) / 1000) });
}

/** The strategy's value in words where the raw number means nothing to people (times). */
function scoreText(t: TFunction, strategy: string, score: TraceScore, nowMs: number): string {
  if (strategy === 'round_robin') return ago(t, score.lastAssignedMs, nowMs);
  if (strategy === 'longest_idle' && score.activeMs !== null) {
    return t('routing.trace.idleFor', { duration: formatDuration(t, (nowMs - score.activeMs) / 1000) });
  }
  return score.value.toFixed(3);
}

function exclusionText(t: TFunction, c: TraceCandidate): string {
  const label = exclusionLabel(t, c.excluded);
  return c.detail ? t('routing.trace.withDetail', { label, detail: c.detail }) : label;
}

function Block({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className={styles.traceBlock} aria-label={title}>
      <h4 className={styles.traceTitle}>{title}</h4>
      {children}
    </section>
  );
}

function Line({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className={styles.traceLine}>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/**
 * How a routing decision was made: the rules tried (with the condition that failed), the route,
 * sticky and dedicated handling, every candidate with its score or why it was left out, and the
 * tie-break. `compact` for the narrow context panel; `at` is the moment of the decision (ms).
 */
export function TraceView({ trace: raw, compact = false, at }: { trace: unknown; compact?: boolean; at: number }) {
  const { t } = useTranslation();
  const names = useDirectory();
  const trace = readTrace(raw);
  const route = trace.route;
  const strategy = route?.strategy ?? '';
  const chosen = trace.outcome?.kind === 'assigned' ? trace.outcome.agentId : null;
  const note = (text: string) => explainNote(t, text, names);

  return (
    <div className={compact ? `${styles.trace} ${styles.traceCompact}` : styles.trace}>
      {trace.note && <Alert type="info" showIcon title={note(trace.note)} className={styles.traceNote} />}

      <Block title={t('routing.trace.rules')}>
        {trace.rules.length === 0 ? (
          <Typography.Text type="secondary" className={styles.small}>
            {t('routing.trace.noRules')}
          </Typography.Text>
        ) : (
          <ol className={styles.ruleList}>
            {trace.rules.map((rule) => (
              <li key={rule.ruleId} className={rule.matched ? styles.ruleMatched : undefined}>
                <span className={styles.ruleHead}>
                  {rule.matched ? (
                    <CheckCircleFilled className={styles.okIcon} aria-hidden />
                  ) : (
                    <CloseCircleOutlined className={styles.failIcon} aria-hidden />
                  )}
                  <span className={styles.ruleName}>{rule.name || t('routing.trace.ruleN', { id: rule.ruleId })}</span>
                  <Tag color={rule.matched ? 'green' : 'default'} variant="filled" className={styles.tightTag}>
                    {rule.matched ? t('routing.trace.matched') : t('routing.trace.notMatched')}
                  </Tag>
                </span>
                {rule.failed && <code className={styles.failed}>{rule.failed}</code>}
              </li>
            ))}
          </ol>
        )}
        {route && route.ruleId === null && (
          <Typography.Text type="secondary" className={styles.small}>
            {t('routing.trace.usedDefault')}
          </Typography.Text>
        )}
      </Block>

      {route && (
        <Block title={t('routing.trace.route')}>
          <dl className={styles.traceLines}>
            <Line label={t('routing.trace.teams')}>
              {route.teams.length > 0 ? route.teams.map(names.team).join(t('routing.listSeparator')) : t('routing.route.anyAgent')}
            </Line>
            {route.agentId !== null && <Line label={t('routing.route.agent')}>{names.agent(route.agentId)}</Line>}
            <Line label={t('routing.trace.strategy')}>{strategyLabel(t, route.strategy)}</Line>
            {route.skills.length > 0 && (
              <Line label={t('routing.trace.skills')}>{route.skills.map((s) => `${s.name} ≥ ${s.min}`).join(t('routing.listSeparator'))}</Line>
            )}
            {route.priority && (
              <Line label={t('routing.route.priority')}>
                <PriorityTag priority={route.priority} compact />
              </Line>
            )}
            {route.tags.length > 0 && <Line label={t('routing.route.tags')}>{route.tags.join(t('routing.listSeparator'))}</Line>}
            <Line label={t('routing.trace.sticky')}>{route.sticky ? t('routing.bool.true') : t('routing.bool.false')}</Line>
          </dl>
        </Block>
      )}

      {(trace.sticky || trace.dedicated || trace.tieBreak) && (
        <Block title={t('routing.trace.process')}>
          <dl className={styles.traceLines}>
            {trace.sticky && <Line label={t('routing.trace.sticky')}>{note(trace.sticky)}</Line>}
            {trace.dedicated && <Line label={t('routing.route.agent')}>{note(trace.dedicated)}</Line>}
            {trace.tieBreak && <Line label={t('routing.trace.tieBreak')}>{note(trace.tieBreak)}</Line>}
          </dl>
        </Block>
      )}

      <Block title={t('routing.trace.candidates')}>
        {compact ? (
          <CompactCandidates candidates={trace.candidates} chosen={chosen} strategy={strategy} names={names} at={at} />
        ) : (
          <CandidateTable candidates={trace.candidates} chosen={chosen} strategy={strategy} names={names} at={at} />
        )}
      </Block>

      {trace.outcome && <OutcomeLine trace={trace} names={names} />}
    </div>
  );
}

function OutcomeLine({ trace, names }: { trace: Trace; names: Directory }) {
  const { t } = useTranslation();
  const outcome = trace.outcome;
  if (!outcome) return null;
  const assigned = outcome.kind === 'assigned' && outcome.agentId !== null;
  return (
    <div className={styles.outcomeLine}>
      <Typography.Text type="secondary">{t('routing.trace.outcome')}</Typography.Text>
      <Tag color={assigned ? 'green' : 'orange'} variant="filled" className={styles.tightTag}>
        {assigned
          ? t('routing.trace.assignedTo', { name: names.agent(outcome.agentId ?? 0) })
          : t('routing.trace.queuedIn', {
              team: outcome.teamId !== null ? names.team(outcome.teamId) : t('routing.route.anyAgent'),
            })}
      </Tag>
    </div>
  );
}

type CandidateProps = { candidates: TraceCandidate[]; chosen: number | null; strategy: string; names: Directory; at: number };

function CompactCandidates({ candidates, chosen, strategy, names, at }: CandidateProps) {
  const { t } = useTranslation();
  if (candidates.length === 0) {
    return (
      <Typography.Text type="secondary" className={styles.small}>
        {t('routing.trace.noCandidates')}
      </Typography.Text>
    );
  }
  return (
    <ul className={styles.candidateList}>
      {rankCandidates(candidates, chosen).map((c) => (
        <li key={c.agentId}>
          <span className={styles.candidateName}>{names.agent(c.agentId)}</span>
          {c.agentId === chosen && (
            <Tag color="green" variant="filled" className={styles.tightTag}>
              {t('routing.trace.chosen')}
            </Tag>
          )}
          {c.score ? (
            <span className={styles.candidateScore}>
              {t('routing.trace.loadOf', { load: c.score.load, capacity: c.score.capacity })} ·{' '}
              {scoreText(t, strategy, c.score, at)}
            </span>
          ) : (
            <Tag variant="filled" className={styles.tightTag}>
              {exclusionText(t, c)}
            </Tag>
          )}
        </li>
      ))}
    </ul>
  );
}

function CandidateTable({ candidates, chosen, strategy, names, at }: CandidateProps) {
  const { t } = useTranslation();
  const dash = <Typography.Text type="secondary">—</Typography.Text>;
  const columns: TableProps<TraceCandidate>['columns'] = [
    { title: t('routing.trace.agent'), key: 'agent', render: (_, c) => names.agent(c.agentId) },
    {
      title: t('routing.trace.result'),
      key: 'result',
      render: (_, c) =>
        c.agentId === chosen ? (
          <Tag color="green" variant="filled" className={styles.tightTag}>
            {t('routing.trace.chosen')}
          </Tag>
        ) : c.score ? (
          <Tag color="blue" variant="filled" className={styles.tightTag}>
            {t('routing.trace.eligible')}
          </Tag>
        ) : (
          <Tag variant="filled" className={styles.tightTag}>
            {exclusionText(t, c)}
          </Tag>
        ),
    },
    {
      title: t('routing.trace.load'),
      key: 'load',
      align: 'right',
      render: (_, c) => (c.score ? `${c.score.load} / ${c.score.capacity}` : dash),
    },
    {
      title: t('routing.trace.utilisation'),
      key: 'utilisation',
      align: 'right',
      render: (_, c) => (c.score ? `${Math.round(c.score.utilisation * 100)}%` : dash),
    },
    {
      title: t('routing.trace.lastAssigned'),
      key: 'last',
      render: (_, c) => (c.score ? ago(t, c.score.lastAssignedMs, at) : dash),
    },
    {
      title: t('routing.trace.performance'),
      key: 'performance',
      align: 'right',
      render: (_, c) => (c.score?.performance != null ? c.score.performance.toFixed(3) : dash),
    },
    {
      title: (
        <Tooltip title={t('routing.trace.scoreHint', { strategy: strategyLabel(t, strategy) })}>
          <span>{t('routing.trace.score')}</span>
        </Tooltip>
      ),
      key: 'score',
      align: 'right',
      render: (_, c) => (c.score ? scoreText(t, strategy, c.score, at) : dash),
    },
  ];
  return (
    <Table<TraceCandidate>
      rowKey="agentId"
      size="small"
      columns={columns}
      dataSource={rankCandidates(candidates, chosen)}
      pagination={false}
      scroll={{ x: 640 }}
      locale={{ emptyText: t('routing.trace.noCandidates') }}
    />
  );
}
