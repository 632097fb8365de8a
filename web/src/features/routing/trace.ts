// A routing trace (the schema leaves it open): the rules evaluated, the route, sticky and dedicated
// handling, every candidate with its score or the reason it was excluded, the tie-break, and a note
// for re-routing. Read field by field; the server's notes are English sentences, put into the
// user's language when they are of a known form.

import type { TFunction } from 'i18next';
import { asNumber, asObject, asString } from '../../api/open';
import { formatDuration } from './duration';

export const STATUSES = ['online', 'busy', 'away', 'offline'] as const;
export const STRATEGIES = ['least_load', 'round_robin', 'longest_idle', 'performance_weighted'] as const;
export const EXCLUSIONS = ['not_in_team', 'offline', 'busy', 'away', 'at_capacity', 'lacks_skill', 'excluded'] as const;
export const REASONS = ['new', 'queue', 'overflow', 'no_reply', 'retry'] as const;
export const OUTCOMES = ['assigned', 'queued'] as const;

export type TraceRule = { ruleId: number; name: string; matched: boolean; failed: string };
export type TraceScore = {
  load: number;
  capacity: number;
  utilisation: number;
  lastAssignedMs: number | null;
  activeMs: number | null;
  performance: number | null;
  value: number;
};
export type TraceCandidate = { agentId: number; score: TraceScore | null; excluded: string; detail: string };
export type TraceRoute = {
  ruleId: number | null;
  teams: number[];
  agentId: number | null;
  skills: Array<{ name: string; min: number }>;
  strategy: string;
  priority: string;
  tags: string[];
  offlineNotice: string;
  sticky: boolean;
};
export type TraceOutcome = { kind: string; agentId: number | null; teamId: number | null };
export type Trace = {
  rules: TraceRule[];
  route: TraceRoute | null;
  sticky: string;
  dedicated: string;
  candidates: TraceCandidate[];
  outcome: TraceOutcome | null;
  tieBreak: string;
  note: string;
};

const PRIORITY_LEVELS = ['low', 'normal', 'high', 'urgent'];

/** The route stores priority as a level (0 = low … 3 = urgent); DTOs use the name. */
function readPriority(value: unknown): string {
  if (typeof value === 'string') return value;
  const level = asNumber(value);
  if (level === null) return '';
  return PRIORITY_LEVELS[Math.min(3, Math.max(0, Math.round(level)))];
}

function numbers(value: unknown): number[] {
  return Array.isArray(value) ? value.filter((v): v is number => typeof v === 'number') : [];
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function readScore(raw: unknown): TraceScore | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const s = asObject(raw);
  return {
    load: asNumber(s.load) ?? 0,
    capacity: asNumber(s.capacity) ?? 0,
    utilisation: asNumber(s.utilisation) ?? 0,
    lastAssignedMs: asNumber(s.last_assigned_ms),
    activeMs: asNumber(s.active_ms),
    performance: asNumber(s.performance),
    value: asNumber(s.value) ?? 0,
  };
}

export function readTrace(raw: unknown): Trace {
  const t = asObject(raw);
  const route = typeof t.route === 'object' && t.route !== null ? asObject(t.route) : null;
  const outcome = typeof t.outcome === 'object' && t.outcome !== null ? asObject(t.outcome) : null;
  return {
    rules: (Array.isArray(t.rules) ? t.rules : []).map((item) => {
      const r = asObject(item);
      return { ruleId: asNumber(r.rule_id) ?? 0, name: asString(r.name), matched: r.matched === true, failed: asString(r.failed) };
    }),
    route: route && {
      ruleId: asNumber(route.rule_id),
      teams: numbers(route.teams),
      agentId: asNumber(route.agent ?? route.agent_id),
      skills: (Array.isArray(route.skills) ? route.skills : []).map((item) => {
        const s = asObject(item);
        return { name: asString(s.name), min: asNumber(s.min) ?? 1 };
      }),
      strategy: asString(route.strategy),
      priority: readPriority(route.priority),
      tags: strings(route.tags),
      offlineNotice: asString(route.offline_notice),
      sticky: route.sticky !== false,
    },
    sticky: asString(t.sticky),
    dedicated: asString(t.dedicated),
    candidates: (Array.isArray(t.candidates) ? t.candidates : []).map((item) => {
      const c = asObject(item);
      return { agentId: asNumber(c.agent_id) ?? 0, score: readScore(c.score), excluded: asString(c.excluded), detail: asString(c.detail) };
    }),
    outcome: outcome && {
      kind: asString(outcome.kind),
      agentId: asNumber(outcome.agent_id),
      teamId: asNumber(outcome.team_id),
    },
    tieBreak: asString(t.tie_break),
    note: asString(t.note),
  };
}

/** Candidates in the order they were ranked: the chosen one, the eligible by value, the excluded. */
export function rankCandidates(candidates: TraceCandidate[], chosen: number | null): TraceCandidate[] {
  const weight = (c: TraceCandidate) => (c.agentId === chosen ? 0 : c.score ? 1 : 2);
  return [...candidates].sort(
    (a, b) => weight(a) - weight(b) || (b.score?.value ?? 0) - (a.score?.value ?? 0) || a.agentId - b.agentId,
  );
}

export function exclusionLabel(t: TFunction, excluded: string): string {
  return (EXCLUSIONS as readonly string[]).includes(excluded) ? t(`routing.exclusion.${excluded}`) : excluded;
}

/** The server writes exclusions into sentences as `not in team`, `at capacity`… */
function spokenExclusion(t: TFunction, text: string): string {
  return exclusionLabel(t, text.replace(/ /g, '_'));
}

type Names = { agent: (id: number) => string; team: (id: number) => string };

/** A sticky, dedicated, tie-break or re-routing note in the user's language (as written otherwise). */
export function explainNote(t: TFunction, text: string, names: Names): string {
  const agent = (id: string) => names.agent(Number(id));
  const secs = (n: string) => formatDuration(t, Number(n));
  const patterns: Array<[RegExp, (m: RegExpExecArray) => string]> = [
    [/^agent (\d+) served the contact too long ago$/, (m) => t('routing.notes.stickyTooOld', { agent: agent(m[1]) })],
    [/^agent (\d+) is no longer an agent$/, (m) => t('routing.notes.stickyGone', { agent: agent(m[1]) })],
    [/^returning contact goes back to agent (\d+)$/, (m) => t('routing.notes.stickyBack', { agent: agent(m[1]) })],
    [
      /^agent (\d+) who served the contact is (.+)$/,
      (m) => t('routing.notes.stickyUnavailable', { agent: agent(m[1]), reason: spokenExclusion(t, m[2]) }),
    ],
    [/^dedicated agent (\d+) is no longer an agent$/, (m) => t('routing.notes.dedicatedGone', { agent: agent(m[1]) })],
    [
      /^dedicated agent (\d+) is (.+)$/,
      (m) => t('routing.notes.dedicatedUnavailable', { agent: agent(m[1]), reason: spokenExclusion(t, m[2]) }),
    ],
    [/^dedicated agent (\d+)$/, (m) => t('routing.notes.dedicatedAssigned', { agent: agent(m[1]) })],
    [/^equal score; agent (\d+) has the lower load$/, (m) => t('routing.notes.tieLoad', { agent: agent(m[1]) })],
    [
      /^equal score and load; agent (\d+) was assigned longest ago$/,
      (m) => t('routing.notes.tieOldest', { agent: agent(m[1]) }),
    ],
    [/^equal on every measure; agent (\d+) has the lower id$/, (m) => t('routing.notes.tieId', { agent: agent(m[1]) })],
    [
      /^agent (\d+) did not reply within (\d+) s of assignment$/,
      (m) => t('routing.notes.noReply', { agent: agent(m[1]), duration: secs(m[2]) }),
    ],
    [/^waited (\d+) s in the queue$/, (m) => t('routing.notes.waitedQueue', { duration: secs(m[1]) })],
    [
      /^waited (\d+) s in team (\d+) \(overflow after (\d+) s\) → team (\d+)$/,
      (m) =>
        t('routing.notes.overflow', {
          duration: secs(m[1]),
          from: names.team(Number(m[2])),
          after: secs(m[3]),
          to: names.team(Number(m[4])),
        }),
    ],
  ];
  for (const [pattern, render] of patterns) {
    const match = pattern.exec(text);
    if (match) return render(match);
  }
  return text;
}
