import type { TFunction } from 'i18next';
import { asArray, asNumber, asObject, asString, displayValue } from '../../api/open';
import type { TimelineEntry } from '../../api/types';
import { formatDateTime } from '../../i18n/format';

/** Names for the ids an entry carries. */
export type Names = {
  user: (id: number | null) => string;
  team: (id: number | null) => string;
  state: (key: string) => string;
  timeZone: string;
};

/** How an entry is shown: a sentence, optional text below it, and a tone for its dot. */
export type EntryView = { kind: string; summary: string; text: string | null; tone: 'blue' | 'green' | 'gray' | 'red' | 'gold' | 'purple' };

const KNOWN = new Set([
  'created',
  'status',
  'reply',
  'note',
  'marker',
  'assigned',
  'transferred',
  'priority',
  'updated',
  'collaborators',
  'sla_warning',
  'sla_breach',
  'escalated',
]);

function metricName(t: TFunction, metric: string): string {
  return ['first_response', 'next_response', 'resolution'].includes(metric) ? t(`tickets.sla.metrics.${metric}`) : metric;
}

function priorityName(t: TFunction, p: string): string {
  return /^p[1-4]$/.test(p) ? t(`tickets.priority.${p}`) : p;
}

/** Every field of an entry kind this version does not know, as `key: value` text. */
export function dataSummary(data: unknown): string {
  return Object.entries(asObject(data))
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${k}: ${displayValue(v)}`)
    .join(' · ');
}

/** A readable sentence for one timeline entry; a kind from a later server version is shown generically. */
export function describeEntry(t: TFunction, entry: TimelineEntry, names: Names): EntryView {
  const d = asObject(entry.data);
  const actor = names.user(entry.actor_id ?? null);
  const text = entry.body?.trim() ? entry.body : null;
  const kind = entry.kind;
  if (!KNOWN.has(kind)) {
    return { kind, summary: t('tickets.timeline.unknown', { kind, actor }), text: [text, dataSummary(d)].filter(Boolean).join('\n') || null, tone: 'gray' };
  }
  switch (kind) {
    case 'created':
      return {
        kind,
        summary: t('tickets.timeline.created', { actor, channel: asString(d.channel), priority: priorityName(t, asString(d.priority)) }),
        text,
        tone: 'blue',
      };
    case 'status':
      return {
        kind,
        summary: t('tickets.timeline.status', { actor, from: names.state(asString(d.from)), to: names.state(asString(d.to)) }),
        text,
        tone: asString(d.to_kind) === 'resolved' || asString(d.to_kind) === 'closed' ? 'green' : 'blue',
      };
    case 'reply':
      return {
        kind,
        summary: asString(d.author) === 'customer' ? t('tickets.timeline.customerWords', { actor }) : t('tickets.timeline.reply', { actor }),
        text,
        tone: 'blue',
      };
    case 'note':
      return { kind, summary: t('tickets.timeline.note', { actor }), text, tone: 'gold' };
    case 'marker':
      return { kind, summary: t('tickets.timeline.marker', { actor, marker: asString(d.marker) }), text, tone: 'purple' };
    case 'assigned':
      return {
        kind,
        summary:
          asNumber(d.to) === null
            ? t('tickets.timeline.unassigned', { actor })
            : t('tickets.timeline.assigned', { actor, to: names.user(asNumber(d.to)) }),
        text,
        tone: 'blue',
      };
    case 'transferred':
      return {
        kind,
        summary: t('tickets.timeline.transferred', {
          actor,
          from: asNumber(d.from_team_id) === null ? t('tickets.noTeam') : names.team(asNumber(d.from_team_id)),
          to: names.team(asNumber(d.to_team_id)),
        }),
        text,
        tone: 'blue',
      };
    case 'priority':
      return {
        kind,
        summary: t('tickets.timeline.priority', { actor, from: priorityName(t, asString(d.from)), to: priorityName(t, asString(d.to)) }),
        text,
        tone: 'gold',
      };
    case 'updated':
      return {
        kind,
        summary: t('tickets.timeline.updated', {
          actor,
          fields: asArray(d.fields)
            .map((f) => {
              const name = asString(f);
              return t(`tickets.fieldNames.${name}`, { defaultValue: name });
            })
            .join(t('tickets.listSeparator')),
        }),
        text,
        tone: 'gray',
      };
    case 'collaborators': {
      const ids = asArray(d.user_ids).map((id) => asNumber(id));
      return {
        kind,
        summary:
          ids.length === 0
            ? t('tickets.timeline.collaboratorsNone', { actor })
            : t('tickets.timeline.collaborators', { actor, names: ids.map((id) => names.user(id)).join(t('tickets.listSeparator')) }),
        text,
        tone: 'gray',
      };
    }
    case 'sla_warning':
    case 'sla_breach':
      return {
        kind,
        summary: t(`tickets.timeline.${kind}`, {
          metric: metricName(t, asString(d.metric)),
          due: formatDateTime(asNumber(d.due_at), names.timeZone) || '—',
        }),
        text,
        tone: kind === 'sla_breach' ? 'red' : 'gold',
      };
    default:
      // escalated
      return {
        kind,
        summary: t('tickets.timeline.escalated', {
          metric: metricName(t, asString(d.metric)),
          stage: t(`tickets.sla.stages.${asString(d.stage) === 'breach' ? 'breach' : 'warning'}`),
          action: t(`tickets.sla.actions.${asString(d.action)}`, { defaultValue: asString(d.action) }),
        }),
        text,
        tone: 'red',
      };
  }
}
