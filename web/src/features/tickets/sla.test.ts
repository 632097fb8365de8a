import { describe, expect, it } from 'vitest';
import i18n from '../../i18n';
import { countdownText, headlineStanding, metricUrgency, readSla, standing, type SlaMetric } from './sla';

const t = i18n.getFixedT('zh-CN');
const NOW = Date.parse('2026-11-21T06:00:00Z');
const MIN = 60_000;

function metric(overrides: Partial<SlaMetric> = {}): SlaMetric {
  return {
    metric: 'resolution',
    targetMs: 240 * MIN,
    warnMs: 192 * MIN,
    warnSource: 'static',
    dueAt: NOW + 60 * MIN,
    warnAt: NOW + 12 * MIN,
    stoppedAt: null,
    elapsedMs: 100 * MIN,
    paused: false,
    status: 'running',
    ...overrides,
  };
}

describe('readSla', () => {
  it('reads the stored SLA document and tolerates a ticket without one', () => {
    const sla = readSla({
      policy_id: 3,
      policy: '标准',
      calendar_id: 1,
      fired: [],
      metrics: [
        {
          metric: 'first_response',
          target_ms: 1_800_000,
          warn_ms: 1_440_000,
          warn_source: 'static',
          started_at: 1,
          due_at: 2,
          warn_at: 3,
          stopped_at: null,
          elapsed_ms: 5,
          paused: false,
          status: 'running',
        },
      ],
    });
    expect(sla.policy).toBe('标准');
    expect(sla.metrics[0]).toMatchObject({ metric: 'first_response', targetMs: 1_800_000, dueAt: 2, warnAt: 3, stoppedAt: null });
    expect(readSla({ fired: [] })).toEqual({ policyId: null, policy: '', metrics: [] });
    expect(readSla(null).metrics).toEqual([]);
  });
});

describe('metricUrgency', () => {
  it('is green before the warning time', () => {
    expect(metricUrgency(metric(), NOW)).toBe('ok');
  });

  it('turns amber once the warning threshold has passed, without waiting for the server', () => {
    expect(metricUrgency(metric(), NOW + 12 * MIN)).toBe('warning');
  });

  it('turns red once the due time has passed, or when the server already recorded a breach', () => {
    expect(metricUrgency(metric(), NOW + 60 * MIN)).toBe('breached');
    expect(metricUrgency(metric({ status: 'breached' }), NOW)).toBe('breached');
  });

  it('is paused while the ticket waits on the customer (no due time)', () => {
    expect(metricUrgency(metric({ paused: true, dueAt: null, warnAt: null }), NOW)).toBe('paused');
  });

  it('is met when the clock stopped within the target, breached when it stopped late', () => {
    expect(metricUrgency(metric({ stoppedAt: NOW - MIN, status: 'met' }), NOW + 600 * MIN)).toBe('met');
    expect(metricUrgency(metric({ stoppedAt: NOW - MIN, status: 'breached' }), NOW)).toBe('breached');
  });
});

describe('headlineStanding', () => {
  it('shows the most urgent running metric, the earliest due among equals', () => {
    const sla = {
      policyId: 1,
      policy: 'p',
      metrics: [
        metric({ metric: 'resolution', dueAt: NOW + 300 * MIN, warnAt: NOW + 200 * MIN }),
        metric({ metric: 'first_response', dueAt: NOW + 20 * MIN, warnAt: NOW + 10 * MIN }),
        metric({ metric: 'next_response', stoppedAt: NOW - MIN, status: 'met' }),
      ],
    };
    expect(headlineStanding(sla, NOW)?.metric.metric).toBe('first_response');
    // The first response is past its warning: it stays the headline, now amber.
    expect(headlineStanding(sla, NOW + 15 * MIN)).toMatchObject({ urgency: 'warning', remainingMs: 5 * MIN });
  });

  it('falls back to a stopped breach when no clock runs, and to nothing without metrics', () => {
    const sla = { policyId: 1, policy: 'p', metrics: [metric({ stoppedAt: 1, status: 'met' }), metric({ metric: 'first_response', stoppedAt: 1, status: 'breached' })] };
    expect(headlineStanding(sla, NOW)?.urgency).toBe('breached');
    expect(headlineStanding({ policyId: null, policy: '', metrics: [] }, NOW)).toBeNull();
  });
});

describe('countdownText', () => {
  it('counts down to the due time and up once it has passed', () => {
    expect(countdownText(t, standing(metric(), NOW))).toBe('剩余 1 小时');
    expect(countdownText(t, standing(metric(), NOW + 75 * MIN))).toBe('超时 15 分钟');
  });

  it('names paused, met and missed metrics instead of a time', () => {
    expect(countdownText(t, standing(metric({ paused: true, dueAt: null }), NOW))).toBe('已暂停');
    expect(countdownText(t, standing(metric({ stoppedAt: 1, status: 'met' }), NOW))).toBe('已达成');
    expect(countdownText(t, standing(metric({ stoppedAt: 1, status: 'breached' }), NOW))).toBe('已超时');
  });
});
