import type { TFunction } from 'i18next';
import { asArray, asObject, asNumber, asString } from '../../api/open';
import { formatDuration } from '../routing/duration';

/**
 * A ticket's SLA as the server stores it in `ticket.sla` (an open object): the matched policy and,
 * per metric, the target, the warning threshold, the due and warning times (epoch ms; null while
 * paused), the business time run at the last evaluation and the status then.
 */
export type SlaMetric = {
  metric: string;
  targetMs: number;
  warnMs: number;
  /** `static` (a fraction of the target) or `dynamic` (learned from history). */
  warnSource: string;
  dueAt: number | null;
  warnAt: number | null;
  stoppedAt: number | null;
  elapsedMs: number;
  paused: boolean;
  /** running, met or breached, as of the server's last evaluation. */
  status: string;
};

export type TicketSla = { policyId: number | null; policy: string; metrics: SlaMetric[] };

/** How a metric stands now: the colour of its countdown. */
export type Urgency = 'ok' | 'warning' | 'breached' | 'paused' | 'met';

export const METRICS = ['first_response', 'next_response', 'resolution'] as const;

export function readSla(value: unknown): TicketSla {
  const sla = asObject(value);
  return {
    policyId: asNumber(sla.policy_id),
    policy: asString(sla.policy),
    metrics: asArray(sla.metrics).map((raw) => {
      const m = asObject(raw);
      return {
        metric: asString(m.metric),
        targetMs: asNumber(m.target_ms) ?? 0,
        warnMs: asNumber(m.warn_ms) ?? 0,
        warnSource: asString(m.warn_source),
        dueAt: asNumber(m.due_at),
        warnAt: asNumber(m.warn_at),
        stoppedAt: asNumber(m.stopped_at),
        elapsedMs: asNumber(m.elapsed_ms) ?? 0,
        paused: m.paused === true,
        status: asString(m.status),
      };
    }),
  };
}

/**
 * Where a metric stands at `now`. The stored status is as of the last evaluation; a running clock
 * crosses its warning and due times without one, so those are compared with `now` here.
 */
export function metricUrgency(m: SlaMetric, now: number): Urgency {
  if (m.stoppedAt !== null || m.status === 'met') return m.status === 'breached' ? 'breached' : 'met';
  if (m.status === 'breached') return 'breached';
  if (m.paused) return 'paused';
  if (m.dueAt !== null && now >= m.dueAt) return 'breached';
  if (m.warnAt !== null && now >= m.warnAt) return 'warning';
  return 'ok';
}

const RANK: Record<Urgency, number> = { breached: 4, warning: 3, ok: 2, paused: 1, met: 0 };

export type SlaStanding = { metric: SlaMetric; urgency: Urgency; /** due time minus now; null without a due time */ remainingMs: number | null };

export function standing(m: SlaMetric, now: number): SlaStanding {
  return { metric: m, urgency: metricUrgency(m, now), remainingMs: m.dueAt === null ? null : m.dueAt - now };
}

/**
 * The metric a list shows for a ticket: the most urgent one whose clock still runs (the earliest
 * due among equals); when every clock has stopped, a breach if there was one, else a met target.
 */
export function headlineStanding(sla: TicketSla, now: number): SlaStanding | null {
  const all = sla.metrics.map((m) => standing(m, now));
  const running = all.filter((s) => s.metric.stoppedAt === null && s.metric.status !== 'met');
  const pool = running.length > 0 ? running : all;
  if (pool.length === 0) return null;
  return [...pool].sort(
    (a, b) => RANK[b.urgency] - RANK[a.urgency] || (a.remainingMs ?? Infinity) - (b.remainingMs ?? Infinity),
  )[0];
}

/** "剩余 2 小时 5 分钟" / "超时 15 分钟" / "已暂停" / "已达成". */
export function countdownText(t: TFunction, s: SlaStanding): string {
  if (s.urgency === 'met') return t('tickets.sla.met');
  if (s.urgency === 'paused') return t('tickets.sla.paused');
  if (s.metric.stoppedAt !== null) return t('tickets.sla.missed');
  if (s.remainingMs === null) return t(`tickets.sla.${s.urgency}`);
  const time = formatDuration(t, Math.abs(s.remainingMs) / 1000);
  return s.remainingMs >= 0 ? t('tickets.sla.left', { time }) : t('tickets.sla.overdue', { time });
}

/** The antd colour of an urgency: green, amber once the warning has passed, red once breached. */
export const URGENCY_COLOURS: Record<Urgency, string> = {
  ok: 'green',
  warning: 'gold',
  breached: 'red',
  paused: 'default',
  met: 'default',
};
