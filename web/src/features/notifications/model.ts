// Shapes of the notification API that the OpenAPI document leaves open (`{"type": "object"}`):
// the policy, channels, rules, previews and test results. The server's serde types are the
// reference (crates/core/src/notify.rs `Policy`, crates/app/src/notify.rs `ChannelView`, `Rule`,
// `Preview`); every reader checks what it reads, so a server change shows as a blank, not a crash.

import { asArray, asNumber, asObject, asString, type JsonObject } from '../../api/open';

/** Media a notice can go out on (`Medium` in core). `push` is per agent, never in rules. */
export const MEDIA = ['in_app', 'email', 'sms', 'im'] as const;
export type Medium = (typeof MEDIA)[number];
/** Media that may need the customer's consent (the message centre never does). */
export const CONSENT_MEDIA = ['email', 'sms', 'im'] as const;

export const NOTICE_KINDS = ['status', 'timeout', 'resolution', 'marker'] as const;
export const TRIGGERS = [
  'ticket_created',
  'ticket_status_changed',
  'ticket_marker_added',
  'ticket_sla_warning',
  'ticket_sla_breached',
  'ticket_resolved',
  'ticket_escalated',
] as const;
export const RECIPIENTS = ['customer', 'assignee', 'team', 'supervisor', 'collaborators'] as const;
export const STATE_KINDS = ['new', 'open', 'pending', 'resolved', 'closed'] as const;
export const SLA_METRICS = ['first_response', 'next_response', 'resolution'] as const;
export const AUDIENCES = ['any', 'individual', 'enterprise'] as const;
export const TEMPLATE_MEDIA = ['any', ...MEDIA] as const;
export const DELIVERY_STATUSES = ['queued', 'sending', 'sent', 'delivered', 'failed', 'skipped'] as const;

export type Dnd = { start_minute: number; end_minute: number };

export type Policy = {
  max_per_ticket: number;
  max_per_kind: number;
  quiet_period_minutes: number;
  dnd: Dnd | null;
  consent_required: string[];
  learn_preference: boolean;
  preference_min_tries: number;
  confirm_timeout_minutes: number;
  max_unconfirmed_retries: number;
  max_attempts: number;
  mask_phones: boolean;
  mask_emails: boolean;
  mask_addresses: boolean;
};

const num = (o: JsonObject, key: string) => asNumber(o[key]) ?? 0;
const bool = (o: JsonObject, key: string) => o[key] === true;
const strings = (value: unknown) => asArray(value).filter((v): v is string => typeof v === 'string');

export function readPolicy(raw: unknown): Policy {
  const o = asObject(raw);
  const dnd = asObject(o.dnd);
  return {
    max_per_ticket: num(o, 'max_per_ticket'),
    max_per_kind: num(o, 'max_per_kind'),
    quiet_period_minutes: num(o, 'quiet_period_minutes'),
    dnd:
      asNumber(dnd.start_minute) !== null && asNumber(dnd.end_minute) !== null
        ? { start_minute: num(dnd, 'start_minute'), end_minute: num(dnd, 'end_minute') }
        : null,
    consent_required: strings(o.consent_required),
    learn_preference: bool(o, 'learn_preference'),
    preference_min_tries: num(o, 'preference_min_tries'),
    confirm_timeout_minutes: num(o, 'confirm_timeout_minutes'),
    max_unconfirmed_retries: num(o, 'max_unconfirmed_retries'),
    max_attempts: num(o, 'max_attempts'),
    mask_phones: bool(o, 'mask_phones'),
    mask_emails: bool(o, 'mask_emails'),
    mask_addresses: bool(o, 'mask_addresses'),
  };
}

/** A provider kind: its medium, the settings and the secrets it needs (`CHANNEL_KINDS` in app). */
export type ChannelKind = { kind: string; medium: Medium; config: readonly string[]; secrets: readonly string[] };

/**
 * The provider kinds the server supports. The API lists no catalogue of them (see the report),
 * so they are spelled out here once, as `save_notify_channel` validates them. SMTP takes an
 * optional user name and password beside its required settings.
 */
export const CHANNEL_KINDS: readonly ChannelKind[] = [
  { kind: 'smtp', medium: 'email', config: ['host', 'port', 'security', 'from_address'], secrets: ['username', 'password'] },
  { kind: 'aliyun_sms', medium: 'sms', config: ['sign_name', 'template_code'], secrets: ['access_key_id', 'access_key_secret'] },
  { kind: 'tencent_sms', medium: 'sms', config: ['sdk_app_id', 'sign_name', 'template_id'], secrets: ['secret_id', 'secret_key'] },
  { kind: 'http_sms', medium: 'sms', config: ['url'], secrets: ['signing_secret'] },
  { kind: 'wecom_robot', medium: 'im', config: [], secrets: ['key'] },
  { kind: 'dingtalk_robot', medium: 'im', config: [], secrets: ['access_token', 'secret'] },
  { kind: 'feishu_bot', medium: 'im', config: [], secrets: ['hook_id', 'secret'] },
  { kind: 'wecom_app', medium: 'im', config: ['corp_id', 'agent_id'], secrets: ['corp_secret'] },
];

/** Secrets a kind can work without (the server requires only the others). */
export const OPTIONAL_SECRETS: Readonly<Record<string, readonly string[]>> = {
  smtp: ['username', 'password'],
  http_sms: ['signing_secret'],
};

export function channelKind(kind: string): ChannelKind | undefined {
  return CHANNEL_KINDS.find((k) => k.kind === kind);
}

/** Robots post to a group chat; they take no address for a test. */
export function isGroupRobot(kind: string): boolean {
  return kind === 'wecom_robot' || kind === 'dingtalk_robot' || kind === 'feishu_bot';
}

export type NotifyChannel = {
  id: number;
  kind: string;
  medium: string;
  name: string;
  config: Record<string, string>;
  /** Secret keys that are set, masked (`••••ab`). */
  secrets: Record<string, string>;
  enabled: boolean;
  position: number;
  receipt_url: string;
};

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(asObject(value))) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
  }
  return out;
}

export function readChannel(raw: unknown): NotifyChannel {
  const o = asObject(raw);
  return {
    id: num(o, 'id'),
    kind: asString(o.kind),
    medium: asString(o.medium),
    name: asString(o.name),
    config: stringMap(o.config),
    secrets: stringMap(o.secrets),
    enabled: bool(o, 'enabled'),
    position: num(o, 'position'),
    receipt_url: asString(o.receipt_url),
  };
}

/** A rule as the API takes it in `spec`. */
export type RuleSpec = {
  name: string;
  trigger: string;
  to_kinds: string[];
  metrics: string[];
  notice_kind: string;
  conditions: unknown;
  recipients: string[];
  group_channels: number[];
  template: string;
  media: string[];
  important: boolean;
  /** E-mails to the customer carry the files of the agent's latest public reply not yet sent (SMS and IM ignore it). */
  attach_files: boolean;
};

export type NotifyRule = RuleSpec & { id: number; position: number; active: boolean };

export function readRule(raw: unknown): NotifyRule {
  const o = asObject(raw);
  return {
    id: num(o, 'id'),
    position: num(o, 'position'),
    active: bool(o, 'active'),
    name: asString(o.name),
    trigger: asString(o.trigger),
    to_kinds: strings(o.to_kinds),
    metrics: strings(o.metrics),
    notice_kind: asString(o.notice_kind),
    conditions: o.conditions ?? { all: [] },
    recipients: strings(o.recipients),
    group_channels: asArray(o.group_channels).filter((v): v is number => typeof v === 'number'),
    template: asString(o.template),
    media: strings(o.media),
    important: bool(o, 'important'),
    attach_files: bool(o, 'attach_files'),
  };
}

export type Preview = { subject: string; body: string };

export function readPreview(raw: unknown): Preview {
  const o = asObject(raw);
  return { subject: asString(o.subject), body: asString(o.body) };
}

/** The provider's answer to a test send. */
export type TestResult = { ok: boolean; error: string; providerId: string; response: string };

export function readTestResult(raw: unknown): TestResult {
  const o = asObject(raw);
  const response = o.response;
  return {
    ok: o.ok === true,
    error: asString(o.error),
    providerId: asString(o.provider_id),
    response: typeof response === 'string' ? response : response === undefined || response === null ? '' : JSON.stringify(response),
  };
}

/** `line 3, column 7: unknown variable` → its parts; null for other messages. */
export function templateErrorPosition(message: string): { line: number; column: number; text: string } | null {
  const m = /^line (\d+), column (\d+): ?(.*)$/s.exec(message);
  return m ? { line: Number(m[1]), column: Number(m[2]), text: m[3] } : null;
}

/** Where an agent's notice leads: a ticket, a conversation, or a to-do (looked up for its own link). */
export type NoticeTarget = { path: string } | { todoId: number } | null;

export function noticeTarget(params: unknown, ticketId: number | null | undefined): NoticeTarget {
  const p = asObject(params);
  const ticket = ticketId ?? asNumber(p.ticket_id);
  if (ticket !== null && ticket !== undefined) return { path: `/tickets/${ticket}` };
  const conversation = asNumber(p.conversation_id);
  if (conversation !== null) return { path: `/inbox/${conversation}` };
  const todo = asNumber(p.todo_id);
  if (todo !== null) return { todoId: todo };
  return null;
}

/** What a `mention` notice says: who mentioned the agent in which conversation, and the note's start. */
export type Mention = {
  conversationId: number;
  conversationNumber: number | null;
  messageId: number | null;
  by: string;
  excerpt: string;
};

/** Reads a `mention` notice's params (docs/protocol/realtime.md); null without its conversation. */
export function readMention(params: unknown): Mention | null {
  const p = asObject(params);
  const conversationId = asNumber(p.conversation_id);
  if (conversationId === null) return null;
  return {
    conversationId,
    conversationNumber: asNumber(p.conversation_number),
    messageId: asNumber(p.message_id),
    by: asString(p.by_name),
    excerpt: asString(p.excerpt),
  };
}

/** What an `assigned` notice says: who handed the agent which conversation, and the transfer note. */
export type Assignment = {
  conversationId: number;
  conversationNumber: number | null;
  by: string;
  /** The start of the transfer note (plain text), or null without one. */
  note: string | null;
};

/** Reads an `assigned` notice's params (docs/protocol/realtime.md); null without its conversation. */
export function readAssignment(params: unknown): Assignment | null {
  const p = asObject(params);
  const conversationId = asNumber(p.conversation_id);
  if (conversationId === null) return null;
  const note = asString(p.note).trim();
  return {
    conversationId,
    conversationNumber: asNumber(p.conversation_number),
    by: asString(p.by_name),
    note: note === '' ? null : note,
  };
}

/** A to-do's page of context: its conversation, else its ticket. */
export function todoPath(todo: { conversation_id?: number | null; ticket_id?: number | null }): string | null {
  if (typeof todo.conversation_id === 'number') return `/inbox/${todo.conversation_id}`;
  if (typeof todo.ticket_id === 'number') return `/tickets/${todo.ticket_id}`;
  return null;
}

/** A skip reason (`{"reason": "quiet_period", …}` or a bare string) as its code and details. */
export function readSkipReason(raw: unknown): { code: string; details: string } | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'string') return { code: raw, details: '' };
  const o = asObject(raw);
  const code = asString(o.reason) || asString(o.code) || asString(o.kind);
  const rest = Object.fromEntries(Object.entries(o).filter(([k]) => !['reason', 'code', 'kind'].includes(k)));
  return { code, details: Object.keys(rest).length > 0 ? JSON.stringify(rest) : '' };
}

/** A template variant as `PUT /notifications/templates` takes it (`TemplateInput` in app). */
export type TemplateInput = {
  key: string;
  locale: string;
  audience: string;
  category_id: number;
  medium: string;
  subject: string;
  body: string;
};

/** A condition field of the catalogue the ConditionEditor takes (`GET /routing/fields` items). */
export type CatalogueField = { name: string; kind: string; ops: string[]; label: string };

/**
 * What notification rule conditions may test (`TICKET_FIELDS` in core). The API serves only the
 * routing catalogue, so the names and types are listed here and the operators of each type are
 * taken from the routing catalogue, which holds every type these use.
 */
export const TICKET_CONDITION_FIELDS: ReadonlyArray<{ name: string; kind: string }> = [
  { name: 'ticket.priority', kind: 'text' },
  { name: 'ticket.category', kind: 'text' },
  { name: 'ticket.channel', kind: 'text' },
  { name: 'ticket.tags', kind: 'tags' },
  { name: 'ticket.team_id', kind: 'number' },
  { name: 'ticket.custom.*', kind: 'any' },
  { name: 'contact.tags', kind: 'tags' },
  { name: 'contact.custom.*', kind: 'any' },
];

export function ticketConditionFields(routing: readonly CatalogueField[], label: (name: string) => string): CatalogueField[] {
  const opsOf = new Map<string, string[]>();
  for (const f of routing) if (!opsOf.has(f.kind)) opsOf.set(f.kind, f.ops);
  return TICKET_CONDITION_FIELDS.filter((f) => opsOf.has(f.kind)).map((f) => ({
    name: f.name,
    kind: f.kind,
    ops: opsOf.get(f.kind) ?? [],
    label: label(f.name),
  }));
}
