import type { RoutingField } from '../api/types';

/** Part of the server's routing field catalogue (GET /api/v1/routing/fields), for tests. */
export const FIELDS: RoutingField[] = [
  {
    name: 'entry.campaign',
    kind: 'text',
    ops: ['eq', 'ne', 'in', 'not_in', 'contains', 'contains_any', 'starts_with', 'present', 'absent'],
    label: 'campaign of the entry point',
  },
  {
    name: 'contact.tags',
    kind: 'tags',
    ops: ['contains', 'contains_any', 'contains_all', 'not_contains', 'present', 'absent'],
    label: 'contact tags',
  },
  {
    name: 'contact.custom.*',
    kind: 'any',
    ops: ['eq', 'ne', 'in', 'not_in', 'contains', 'gt', 'gte', 'lt', 'lte', 'present', 'absent'],
    label: 'custom attribute (paid, vip, plan…)',
  },
  {
    name: 'contact.conversations',
    kind: 'number',
    ops: ['eq', 'ne', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'present', 'absent'],
    label: 'number of earlier conversations',
  },
  { name: 'contact.returning', kind: 'bool', ops: ['eq', 'ne'], label: 'has had an earlier conversation' },
  {
    name: 'contact.last_active_at',
    kind: 'timestamp',
    ops: ['within_last', 'not_within_last', 'present', 'absent'],
    label: 'last activity before this conversation',
  },
  { name: 'time.local', kind: 'clock', ops: ['between'], label: 'local time of day' },
];
