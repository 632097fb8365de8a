// The audit trail in words: what an entry says a person did, to what. Pure: the translation
// function comes in, so unit tests can run it in either language.

import type { TFunction } from 'i18next';
import type { components } from '../../api/schema';

export type AuditEntry = components['schemas']['AuditEntry'];
export type AuditPage = components['schemas']['AuditPage'];

/** Every kind of entry the server writes to the trail. */
export const AUDIT_KINDS = [
  'user_created',
  'user_updated',
  'user_deactivated',
  'user_reactivated',
  'team_created',
  'team_updated',
  'team_deleted',
  'team_member_added',
  'team_member_removed',
  'channel_created',
  'channel_updated',
  'routing_rule_changed',
  'setting_changed',
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

/** The kinds of setting a `setting_changed` entry names (`details.area`, the `area` filter). */
export const AUDIT_AREAS = [
  'attribute_definition',
  'automation_rule',
  'canned_response',
  'entry_point',
  'contact_import',
  'contact_notice_preferences',
  'notice_policy',
  'notice_rule',
  'notice_template',
  'notice_channel',
  'routing_settings',
  'team_routing',
  'agent_routing',
  'calendar',
  'sla_policy',
  'sla_thresholds',
  'ticket_workflow',
  'ticket_category',
  'ticket_marker',
  'todo_template',
  'todo_settings',
  'timer',
] as const;
export type AuditArea = (typeof AUDIT_AREAS)[number];

/** What `setting_changed` says was done. */
const SETTING_ACTIONS = ['created', 'updated', 'deleted', 'run'] as const;
/** Areas whose `run` reads better in words of its own ("imported contacts"). */
const RUN_WORDS = ['contact_import', 'sla_thresholds', 'timer'] as const;
const RULE_CHANGES = ['created', 'updated', 'deleted'] as const;

/** The "what" filter's groups of kinds. */
export const AUDIT_GROUPS = {
  users: ['user_created', 'user_updated', 'user_deactivated', 'user_reactivated'],
  teams: ['team_created', 'team_updated', 'team_deleted', 'team_member_added', 'team_member_removed'],
  channels: ['channel_created', 'channel_updated'],
  routing_rules: ['routing_rule_changed'],
  settings: ['setting_changed'],
} as const satisfies Record<string, readonly AuditKind[]>;
export type AuditGroup = keyof typeof AUDIT_GROUPS;

/** Subjects whose id is that of another thing: `agent_routing:5` is about user 5. */
const SUBJECT_ALIASES: Record<string, string> = {
  user: 'user',
  team: 'team',
  channel: 'channel',
  routing_rule: 'routing_rule',
  agent_routing: 'user',
  team_routing: 'team',
  contact_notice_preferences: 'contact',
};

export interface AuditDescription {
  /** Who did it: their name, "System" for the server itself. */
  actor: string;
  /** What they did, as a phrase: "删除了快捷回复", "把 李雷 加入了团队". */
  action: string;
  /** What it was done to: its name, or its kind and number when it has none any more. */
  target: string;
}

function includes<T extends string>(list: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (list as readonly string[]).includes(value);
}

/** The payload as an object (the server sends one; anything else reads as empty). */
function detailsOf(entry: AuditEntry): Record<string, unknown> {
  const d = entry.details;
  return d !== null && typeof d === 'object' && !Array.isArray(d) ? (d as Record<string, unknown>) : {};
}

function nonEmpty(value: string | null | undefined): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/** `team:3` → ["team", "3"]; `routing_settings` → ["routing_settings", null]. */
function splitSubject(subject: string): [string, string | null] {
  const at = subject.lastIndexOf(':');
  return at < 0 ? [subject, null] : [subject.slice(0, at), subject.slice(at + 1)];
}

/** A subject's kind in words: "团队", "SLA 策略"; an unknown one as the server wrote it. */
export function subjectLabel(t: TFunction, kind: string): string {
  const alias = SUBJECT_ALIASES[kind];
  if (alias) return t(`audit.subjects.${alias}`);
  if (includes(AUDIT_AREAS, kind)) return t(`audit.areas.${kind}`);
  return kind;
}

/** A setting area's name as the filter lists it; an unknown one as the server wrote it. */
export function areaLabel(t: TFunction, area: string): string {
  return includes(AUDIT_AREAS, area) ? t(`audit.areas.${area}`) : area;
}

/** The changed fields, in words, joined the language's way: "角色、语言". */
function fieldList(t: TFunction, kind: 'user' | 'team', fields: unknown): string | null {
  if (!Array.isArray(fields)) return null;
  const names = fields
    .filter((f): f is string => typeof f === 'string' && f !== '')
    // A field the UI does not know (or a name that is no plain key) shows as the server wrote it.
    .map((f) => (/^[a-z_]+$/.test(f) ? t(`audit.fields.${kind}.${f}`, { defaultValue: f }) : f));
  return names.length > 0 ? names.join(t('audit.listSeparator')) : null;
}

function withFields(t: TFunction, action: string, fields: string | null): string {
  return fields ? t('audit.withFields', { action, fields }) : action;
}

/** The person a team membership entry names. */
function memberOf(t: TFunction, entry: AuditEntry, details: Record<string, unknown>): string {
  if (nonEmpty(entry.member_name)) return entry.member_name;
  const id = details.user_id;
  return typeof id === 'number' || typeof id === 'string' ? `${t('audit.subjects.user')} #${id}` : t('audit.someone');
}

function settingAction(t: TFunction, details: Record<string, unknown>): string {
  const { area, action } = details;
  if (action === 'run' && includes(RUN_WORDS, area)) return t(`audit.run.${area}`);
  const thing = includes(AUDIT_AREAS, area)
    ? t(`audit.things.${area}`)
    : typeof area === 'string' && area !== ''
      ? t('audit.unknownThing', { area })
      : null;
  if (thing === null) return t('audit.kinds.setting_changed');
  const phrase = includes(SETTING_ACTIONS, action) ? t(`audit.setting.${action}`, { thing }) : t('audit.setting.other', { thing });
  return spaced(phrase);
}

/**
 * A space between Chinese and the Latin letters that follow it ("修改了 SLA 策略"), as the UI
 * writes them elsewhere; the phrase holds only translated words, no one's name.
 */
function spaced(phrase: string): string {
  return phrase.replace(/([\u3400-\u9fff])([A-Za-z0-9])/g, '$1 $2');
}

/** What the entry says was done. */
export function describeAction(t: TFunction, entry: AuditEntry): string {
  const details = detailsOf(entry);
  const kind = entry.kind;
  switch (kind) {
    case 'user_updated':
      return withFields(t, t('audit.kinds.user_updated'), fieldList(t, 'user', details.fields));
    case 'team_updated':
      return withFields(t, t('audit.kinds.team_updated'), fieldList(t, 'team', details.fields));
    case 'team_member_added':
    case 'team_member_removed':
      return t(`audit.kinds.${kind}`, { member: memberOf(t, entry, details) });
    case 'routing_rule_changed':
      return includes(RULE_CHANGES, details.change)
        ? t(`audit.routingRule.${details.change}`)
        : t('audit.kinds.routing_rule_changed');
    case 'setting_changed':
      return settingAction(t, details);
    default:
      return includes(AUDIT_KINDS, kind) ? t(`audit.kinds.${kind}`) : t('audit.unknownKind', { kind });
  }
}

/** Who made the change. */
export function describeActor(t: TFunction, entry: AuditEntry): string {
  if (entry.actor_id === null || entry.actor_id === undefined) return t('audit.system');
  return nonEmpty(entry.actor_name) ? entry.actor_name : `${t('audit.subjects.user')} #${entry.actor_id}`;
}

/** What the change was made to: its name, else its kind and number ("团队 #3"). */
export function describeTarget(t: TFunction, entry: AuditEntry): string {
  if (nonEmpty(entry.subject_name)) return entry.subject_name;
  const [kind, id] = splitSubject(entry.subject);
  const label = subjectLabel(t, kind);
  return id === null ? label : `${label} #${id}`;
}

/** The entry in words, in the language of `t`. */
export function describeEntry(t: TFunction, entry: AuditEntry): AuditDescription {
  return { actor: describeActor(t, entry), action: describeAction(t, entry), target: describeTarget(t, entry) };
}

/** The "what" filter's value: a group of kinds or a setting area. */
export type AuditWhat = { group: AuditGroup } | { area: AuditArea };

/** Reads the "what" filter from its URL form (`teams`, `sla_policy`); anything else is no filter. */
export function parseWhat(value: string | null): AuditWhat | null {
  if (value === null) return null;
  if (Object.hasOwn(AUDIT_GROUPS, value)) return { group: value as AuditGroup };
  if (includes(AUDIT_AREAS, value)) return { area: value };
  return null;
}
