import { asArray, asNumber, asObject, asString } from '../../api/open';
import { fromZonedInput, toZonedInput } from '../todos/zonedTime';
import type { AutomationRule } from '../todos/types';

export const EVENTS = [
  'button',
  'conversation.created',
  'conversation.tagged',
  'conversation.resolved',
  'ticket.created',
  'ticket.status_changed',
  'ticket.sla_due',
] as const;
export const ACTION_TYPES = ['create_todo', 'add_tag', 'assign', 'notify', 'chain'] as const;
export const OWNER_STRATEGIES = ['conversation_agent', 'contact_owner', 'team_least_loaded', 'user'] as const;
export const CHAIN_OWNER_STRATEGIES = [...OWNER_STRATEGIES, 'chain_origin'] as const;

export type OwnerValues = { strategy: string; team_id?: number | null; user_id?: number | null };
export type TodoValues = {
  title: string;
  note?: string;
  owner: OwnerValues;
  priority: string;
  colour?: string;
  due_in?: string;
  remind_before?: string;
  waits?: boolean;
};
export type ActionValues = Partial<TodoValues> & {
  type: string;
  tag?: string;
  target?: string;
  user_id?: number | null;
  team_id?: number | null;
  message?: string;
  to?: OwnerValues;
  steps?: Array<{ todos: TodoValues[] }>;
};
export type TriggerValues = {
  kind: 'event' | 'scan' | 'at';
  event?: string;
  key?: string;
  before?: string;
  wait?: 'now' | 'after' | 'next';
  after?: string;
  next?: { weekdays: number[]; time: string; working_days: boolean };
  every?: string;
  at?: string;
};
export type RuleValues = {
  name: string;
  goal?: string;
  priority?: number;
  active: boolean;
  limit_days?: number | null;
  trigger: TriggerValues;
  actions: ActionValues[];
};

/** Seconds as the shortest exact duration text ("30m", "24h", "3d"). */
export function durationText(value: unknown): string {
  if (typeof value === 'string') return value;
  const s = asNumber(value);
  if (s === null) return '';
  if (s % 86_400 === 0) return `${s / 86_400}d`;
  if (s % 3600 === 0) return `${s / 3600}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}

/** A duration as typed: "90" → 90 seconds, "24h" kept for the server to check; blank → absent. */
function durationJson(text: string | undefined): string | number | undefined {
  const v = (text ?? '').trim();
  if (!v) return undefined;
  return /^\d+$/.test(v) ? Number(v) : v;
}

export const newTodoValues = (): TodoValues => ({ title: '', note: '', owner: { strategy: 'conversation_agent' }, priority: 'normal' });

export function newRuleValues(): RuleValues {
  return {
    name: '',
    goal: '',
    priority: 0,
    active: true,
    limit_days: null,
    trigger: { kind: 'event', event: 'button', key: '', wait: 'now', next: { weekdays: [1], time: '09:00', working_days: false } },
    actions: [{ type: 'create_todo', ...newTodoValues() }],
  };
}

function ownerValues(raw: unknown): OwnerValues {
  const o = asObject(raw);
  return { strategy: asString(o.strategy) || 'conversation_agent', team_id: asNumber(o.team_id), user_id: asNumber(o.user_id) };
}

function todoValues(raw: unknown): TodoValues {
  const o = asObject(raw);
  return {
    title: asString(o.title),
    note: asString(o.note),
    owner: ownerValues(o.owner),
    priority: asString(o.priority) || 'normal',
    colour: asString(o.colour) || undefined,
    due_in: durationText(o.due_in),
    remind_before: durationText(o.remind_before),
    waits: o.waits === true,
  };
}

/** A stored rule as form values (durations as text, the absolute time in the account's zone). */
export function ruleValues(rule: AutomationRule, timeZone: string): RuleValues {
  const tr = asObject(rule.trigger);
  const next = asObject(tr.next);
  const kind = (asString(tr.kind) || 'event') as TriggerValues['kind'];
  return {
    name: rule.name,
    goal: rule.goal,
    priority: rule.priority,
    active: rule.active,
    limit_days: rule.limit_days ?? null,
    trigger: {
      kind,
      event: asString(tr.event) || 'button',
      key: asString(tr.key),
      before: durationText(tr.before),
      wait: tr.next ? 'next' : tr.after !== undefined ? 'after' : 'now',
      after: durationText(tr.after),
      next: {
        weekdays: asArray(next.weekdays).flatMap((d) => (typeof d === 'number' ? [d] : [])),
        time: asString(next.time) || '09:00',
        working_days: next.working_days === true,
      },
      every: durationText(tr.every),
      at: toZonedInput(asNumber(tr.at), timeZone),
    },
    actions: asArray(rule.actions).map((raw) => {
      const a = asObject(raw);
      const type = asString(a.type);
      if (type === 'create_todo') return { type, ...todoValues(a) };
      if (type === 'chain')
        return { type, steps: asArray(a.steps).map((s) => ({ todos: asArray(asObject(s).todos).map(todoValues) })) };
      if (type === 'notify') return { type, message: asString(a.message), to: ownerValues(a.to) };
      if (type === 'assign') return { type, user_id: asNumber(a.user_id), team_id: asNumber(a.team_id) };
      return { type, tag: asString(a.tag), target: asString(a.target) || 'conversation' };
    }),
  };
}

function ownerJson(o: OwnerValues | undefined): Record<string, unknown> {
  const strategy = o?.strategy ?? 'conversation_agent';
  if (strategy === 'team_least_loaded') return { strategy, team_id: o?.team_id ?? null };
  if (strategy === 'user') return { strategy, user_id: o?.user_id ?? null };
  return { strategy };
}

function todoJson(v: Partial<TodoValues>, inChain: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    title: v.title ?? '',
    note: v.note ?? '',
    owner: ownerJson(v.owner),
    priority: v.priority ?? 'normal',
  };
  if (v.colour) out.colour = v.colour;
  const due = durationJson(v.due_in);
  if (due !== undefined) out.due_in = due;
  const remind = durationJson(v.remind_before);
  if (remind !== undefined) out.remind_before = remind;
  if (inChain && v.waits) out.waits = true;
  return out;
}

function triggerJson(v: TriggerValues, timeZone: string): Record<string, unknown> {
  if (v.kind === 'scan') return { kind: 'scan', every: durationJson(v.every) ?? '' };
  if (v.kind === 'at') return { kind: 'at', at: fromZonedInput(v.at, timeZone) ?? '' };
  const out: Record<string, unknown> = { kind: 'event', event: v.event };
  if (v.key?.trim()) out.key = v.key.trim();
  if (v.event === 'ticket.sla_due') out.before = durationJson(v.before) ?? '';
  if (v.wait === 'after') out.after = durationJson(v.after) ?? '';
  if (v.wait === 'next' && v.next) out.next = { weekdays: v.next.weekdays, time: v.next.time, working_days: v.next.working_days };
  return out;
}

function actionJson(a: ActionValues): Record<string, unknown> {
  switch (a.type) {
    case 'create_todo':
      return { type: a.type, ...todoJson(a, false) };
    case 'add_tag':
      return { type: a.type, tag: a.tag ?? '', target: a.target ?? 'conversation' };
    case 'assign':
      return { type: a.type, user_id: a.user_id ?? null, team_id: a.team_id ?? null };
    case 'notify':
      return { type: a.type, message: a.message ?? '', to: ownerJson(a.to) };
    case 'chain':
      return { type: a.type, steps: (a.steps ?? []).map((s) => ({ todos: (s.todos ?? []).map((t) => todoJson(t, true)) })) };
    default:
      return { type: a.type };
  }
}

/** The body of POST/PUT /automation/rules, without the conditions (the tree editor owns them). */
export function ruleBody(v: RuleValues, timeZone: string) {
  return {
    name: v.name.trim(),
    goal: v.goal?.trim() ?? '',
    priority: v.priority ?? 0,
    active: v.active,
    limit_days: v.limit_days ?? null,
    trigger: triggerJson(v.trigger, timeZone),
    actions: (v.actions ?? []).map(actionJson),
  };
}

/**
 * Where an API error path sits in the form: `actions[1].owner.team_id` → ['actions', 1, 'owner',
 * 'team_id']; a whole trigger or action goes on its kind or type selector. Conditions are placed
 * by the tree editor; anything else is null.
 */
export function ruleFormPath(field: string): Array<string | number> | null {
  if (field === 'trigger') return ['trigger', 'kind'];
  if (field === 'trigger.next') return ['trigger', 'wait'];
  if (field.startsWith('trigger.next.weekdays')) return ['trigger', 'next', 'weekdays'];
  if (field.startsWith('conditions') || field === 'actions') return null;
  const path: Array<string | number> = [];
  for (const part of field.split('.')) {
    const m = /^([a-z_]+)((?:\[\d+\])*)$/.exec(part);
    if (!m) return null;
    path.push(m[1]);
    for (const idx of m[2].matchAll(/\[(\d+)\]/g)) path.push(Number(idx[1]));
  }
  if (path[0] === 'actions' && path.length === 2) path.push('type');
  if (path[0] === 'actions' && path[2] === 'steps' && path.length === 4) return ['actions', path[1], 'steps'];
  const top = ['name', 'goal', 'priority', 'active', 'limit_days', 'trigger', 'actions'];
  return top.includes(String(path[0])) ? path : null;
}

/** Variables a to-do title or note may use (crates/core/src/automation.rs TODO_VARIABLES). */
export const TODO_VARIABLES = [
  'contact.name',
  'contact.phone',
  'conversation.number',
  'ticket.number',
  'ticket.title',
  'tag',
  'rule.name',
  'agent.name',
]
  .map((v) => `{{${v}}}`)
  .join(' ');
