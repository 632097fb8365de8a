// Wire shapes from docs/protocol/realtime.md.

export type SenderKind = 'contact' | 'agent' | 'bot' | 'system';

export interface Attachment {
  id: number | string;
  url: string;
  mime: string;
  size: number;
  name: string;
}

export interface Message {
  id: number;
  conversation_id: number;
  seq: number;
  sender: { kind: SenderKind; id: number | null; name: string | null };
  kind: 'text' | 'note' | 'attachment' | 'event';
  text: string | null;
  attachment: Attachment | null;
  client_id: string | null;
  created_at: string;
}

export type ConversationStatus = 'open' | 'pending' | 'resolved' | 'closed';

export interface Conversation {
  id: number;
  number?: number;
  channel_id?: number;
  contact_id?: number;
  status: ConversationStatus;
  priority?: string | number | null;
  assignee_id?: number | null;
  team_id?: number | null;
  last_seq: number;
  /** VisitorConversation (server): the agents' read mark and the rating already given. */
  agent_read_seq?: number;
  csat_score?: number | null;
  created_at?: string;
  updated_at?: string;
}

export type FieldKind = 'text' | 'email' | 'phone' | 'textarea' | 'select';

export interface FormField {
  name: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  /** Not in the documented contract; honoured when the server sends it for `select`. */
  options?: Array<string | { value: string; label: string }>;
}

export interface WidgetConfig {
  channel: { name: string; greeting: string | null; colour: string | null; locale: string | null };
  pre_chat_form: FormField[];
}

export interface Identity {
  user_id: string;
  name?: string;
  email?: string;
  phone?: string;
  attributes?: Record<string, unknown>;
  hmac: string;
}

export interface PageInfo {
  url: string;
  title?: string;
  referrer?: string;
}

export interface Utm {
  source?: string;
  medium?: string;
  campaign?: string;
  term?: string;
  content?: string;
}

export interface SessionRequest {
  visitor_token?: string;
  entry?: string;
  page?: PageInfo;
  utm?: Utm;
  device?: 'mobile' | 'desktop';
  language?: string;
  identity?: Identity;
  form?: Record<string, string>;
}

export interface SessionResponse {
  visitor_token: string;
  contact: { id: number; name: string | null };
  conversation: Conversation | null;
}

export interface MessagesResponse {
  items: Message[];
  conversation: Conversation | null;
}

/** Kinds of ticket progress notice; others may come later. */
export type NoticeKind = 'status' | 'timeout' | 'resolution' | 'marker';

/** One entry in the visitor's message centre (GET /api/v1/widget/notices). */
export interface Notice {
  id: number;
  ticket_id: number | null;
  notice_kind: NoticeKind | string | null;
  subject: string;
  /** Plain text, never HTML. */
  body: string;
  /** RFC 3339. */
  created_at: string;
  read_at: string | null;
  /** The customer's page for the ticket. */
  ticket_url: string | null;
}

export interface NoticesResponse {
  /** Newest first. */
  items: Notice[];
  unread: number;
}

// Frames.

export interface AckFrame {
  type: 'ack';
  client_id: string;
  message_id: number;
  conversation_id: number;
  seq: number;
}

export interface ErrorFrame {
  type: 'error';
  code: string;
  message: string;
  client_id?: string;
}

export interface TypingFrame {
  type: 'typing';
  conversation_id: number;
  from: { kind: string; id: number | null };
  on: boolean;
}

export interface ReadFrame {
  type: 'read';
  conversation_id: number;
  seq: number;
  by: { kind: string; id: number | null };
}

/** Visitors only: their conversation waits for an agent (sent when queued and when the queue moves). */
export interface QueueFrame {
  type: 'queue';
  conversation_id: number;
  /** 1 = next to be served. */
  position: number;
  /** From the pace of recent assignments; null without enough history. */
  estimated_wait_secs: number | null;
}

export type ServerFrame =
  | { type: 'welcome'; who: { kind: 'visitor' | 'agent'; id: number } }
  | AckFrame
  | { type: 'message'; message: Message }
  | TypingFrame
  | ReadFrame
  | ErrorFrame
  | { type: 'pong' }
  /** Not in realtime.md: the server skipped live items (lagged); the client sends hello again. */
  | { type: 'resync' }
  /** realtime.md says agents only; the server also sends it to visitors for their conversations. */
  | { type: 'conversation'; conversation: Conversation; event: string }
  | QueueFrame;

/** What the visitor wants to send; the client adds the `client_id`. */
export interface OutgoingMessage {
  client_id: string;
  text?: string;
  attachment_id?: number | string;
}
