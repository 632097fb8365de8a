// Frames of the agent WebSocket (docs/protocol/realtime.md). The OpenAPI document describes the
// REST shapes only; the payloads the frames carry (Message, Conversation) are those REST types.

import type { Conversation, Message } from '../api/types';

/** Who did something: a contact (visitor) or an agent. */
export type Party = { kind: 'contact' | 'agent'; id: number };

export type WelcomeFrame = { type: 'welcome'; who: { kind: 'agent' | 'visitor'; id: number } };
export type AckFrame = { type: 'ack'; client_id: string | null; message_id: number; conversation_id: number; seq: number };
export type MessageFrame = { type: 'message'; message: Message };
export type ConversationEvent = 'created' | 'updated' | 'assigned' | 'resolved' | 'reopened';
export type ConversationFrame = { type: 'conversation'; conversation: Conversation; event: ConversationEvent };
/** A conversation this agent may no longer see (assigned or moved away): drop it. */
export type ConversationHiddenFrame = { type: 'conversation_hidden'; conversation_id: number };
export type TypingFrame = { type: 'typing'; conversation_id: number; from: Party; on: boolean };
export type ReadFrame = { type: 'read'; conversation_id: number; seq: number; by: Party };
export type PresenceFrame = { type: 'presence'; user_id: number; status: string };
export type ErrorFrame = { type: 'error'; code: string; message: string; client_id?: string | null };
export type PongFrame = { type: 'pong' };
export type ResyncFrame = { type: 'resync' };
/**
 * A notice for this agent alone (to-do created/updated, reminder, daily list, prompt, a rule's
 * notify action). `notice` is `{subject, params}` for stored notices, the to-do's fields for
 * `todo_created` / `todo_updated`.
 */
export type NoticeFrame = {
  type: 'notice';
  kind: string;
  notice: { subject?: string; params?: Record<string, unknown>; [field: string]: unknown };
};

export type ServerFrame =
  | WelcomeFrame
  | AckFrame
  | MessageFrame
  | ConversationFrame
  | ConversationHiddenFrame
  | TypingFrame
  | ReadFrame
  | PresenceFrame
  | ErrorFrame
  | PongFrame
  | ResyncFrame
  | NoticeFrame;

/** A message an agent sends: a reply, or an internal note. */
export type OutgoingMessage = {
  client_id: string;
  conversation_id: number;
  text: string;
  attachment_id?: number;
  note?: boolean;
};

export type ClientFrame =
  | { type: 'hello'; last_seq: Record<string, number> }
  | ({ type: 'send' } & OutgoingMessage)
  | { type: 'typing'; conversation_id: number; on: boolean }
  | { type: 'read'; conversation_id: number; seq: number }
  | { type: 'ping' };

/** Parses one text frame; `null` for anything that is not a JSON object with a string `type`. */
export function parseFrame(data: unknown): ServerFrame | null {
  if (typeof data !== 'string') return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || typeof (value as { type?: unknown }).type !== 'string') return null;
  return value as ServerFrame;
}
