import type { RoutingField } from '../../api/types';

// The automation rules' condition catalogue. The API validates conditions against it but does not
// serve it (routing has GET /routing/fields; automation has no counterpart), so it is written out
// here from crates/core/src/automation.rs (AUTOMATION_FIELDS, CONTACT_STATE_FIELDS) with the
// operators of each kind from crates/core/src/condition.rs.

const OPS: Record<string, string[]> = {
  text: ['eq', 'ne', 'in', 'not_in', 'contains', 'contains_any', 'starts_with', 'present', 'absent'],
  number: ['eq', 'ne', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'present', 'absent'],
  bool: ['eq', 'ne'],
  tags: ['contains', 'contains_any', 'contains_all', 'not_contains', 'present', 'absent'],
  timestamp: ['within_last', 'not_within_last', 'within_next', 'present', 'absent'],
  any: ['eq', 'ne', 'in', 'not_in', 'contains', 'gt', 'gte', 'lt', 'lte', 'present', 'absent', 'within_last', 'not_within_last', 'within_next'],
};

const f = (name: string, kind: string, label: string): RoutingField => ({ name, kind, ops: OPS[kind] ?? [], label });

/** What a customer-state rule (scan or absolute time) can test: the contact alone. */
export const CONTACT_STATE_FIELDS: RoutingField[] = [
  f('contact.name', 'text', 'contact name'),
  f('contact.email', 'text', 'contact e-mail'),
  f('contact.phone', 'text', 'contact phone'),
  f('contact.identified', 'bool', 'identity verified by the site'),
  f('contact.tags', 'tags', 'contact tags'),
  f('contact.custom.*', 'any', 'custom attribute (date attributes compare as moments)'),
  f('contact.changed.*', 'timestamp', 'when a custom attribute last changed'),
  f('contact.created_at', 'timestamp', 'first seen'),
  f('contact.last_seen_at', 'timestamp', 'last seen by the widget'),
  f('contact.last_interaction_at', 'timestamp', 'last message either way'),
  f('contact.last_contacted_at', 'timestamp', 'last message from an agent'),
  f('contact.first_conversation_at', 'timestamp', 'first enquiry'),
  f('contact.last_conversation_at', 'timestamp', 'latest enquiry'),
  f('contact.conversations', 'number', 'number of conversations'),
  f('contact.open_todos', 'number', 'open to-dos about the contact'),
];

/** What an event rule can test: the contact, the conversation or ticket, and the event. */
export const AUTOMATION_FIELDS: RoutingField[] = [
  ...CONTACT_STATE_FIELDS,
  f('conversation.status', 'text', 'open, pending, resolved, closed'),
  f('conversation.channel', 'text', 'channel kind (web_widget…)'),
  f('conversation.tags', 'tags', 'conversation tags'),
  f('conversation.priority', 'number', '0 low … 3 urgent'),
  f('conversation.assignee_id', 'number', 'assigned agent'),
  f('conversation.team_id', 'number', 'team'),
  f('entry.campaign', 'text', 'campaign of the entry point'),
  f('entry.business_module', 'text', 'business module'),
  f('ticket.priority', 'text', 'priority (p1 … p4)'),
  f('ticket.status', 'text', 'state key'),
  f('ticket.status_kind', 'text', 'new, open, pending, resolved, closed'),
  f('ticket.category', 'text', 'category key'),
  f('ticket.tags', 'tags', 'ticket tags'),
  f('ticket.team_id', 'number', 'department (team) id'),
  f('ticket.custom.*', 'any', 'custom field'),
  f('event.tag', 'text', 'the tag that was added (tag triggers)'),
  f('event.to', 'text', 'the state moved into (ticket status triggers)'),
  f('event.button', 'text', 'the button pressed'),
];

export function fieldsFor(triggerKind: string): RoutingField[] {
  return triggerKind === 'event' ? AUTOMATION_FIELDS : CONTACT_STATE_FIELDS;
}
