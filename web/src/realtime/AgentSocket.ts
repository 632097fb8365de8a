// The agent's WebSocket client (docs/protocol/realtime.md, `GET /api/v1/ws` with the session cookie).
//
// - `hello` with the last contiguous seq of every tracked (opened) conversation on every connect,
//   and again when the server asks with `resync`;
// - `message` frames deduplicated by (conversation_id, seq); a hole in a tracked conversation is
//   reported as a `gap` so the caller refills it over REST;
// - outgoing messages keep their client_id and are re-sent until acked: after a reconnect, or when
//   no ack came within the ack timeout (the server answers a repeated client_id with the same ack);
// - reconnects back off exponentially with jitter (at most 30 s); a ping every 25 s detects
//   half-open sockets.

import type { Conversation, Message } from '../api/types';
import {
  parseFrame,
  type AckFrame,
  type ClientFrame,
  type ConversationEvent,
  type ErrorFrame,
  type NoticeFrame,
  type OutgoingMessage,
  type ReadFrame,
  type ServerFrame,
  type TypingFrame,
} from './frames';

export type ConnectionStatus = 'connecting' | 'open' | 'closed';

export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_MAX_MS = 30_000;
/** Connection attempts in a row that end before a welcome, before `failing` is reported. */
export const FAILURES_BEFORE_REPORT = 3;

/** Delay before reconnect attempt `attempt` (0-based): equal jitter in [cap/2, cap], cap ≤ 30 s. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 16));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(cap / 2 + (r * cap) / 2);
}

/** The subset of the browser WebSocket this client uses (tests pass a fake). */
export interface SocketLike {
  readyState: number;
  onopen: ((ev: Event) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type SocketFactory = new (url: string) => SocketLike;

/** `sending` until the ack; `acked` until the message itself arrives; `failed` when refused. */
export type PendingState = 'sending' | 'acked' | 'failed';

export type PendingMessage = OutgoingMessage & {
  state: PendingState;
  /** The error code when the server refused the message. */
  error: string | null;
};

export type SocketEvent =
  | { type: 'status'; status: ConnectionStatus }
  /** The server greeted this socket; `reconnect` when an earlier socket had been greeted too. */
  | { type: 'welcome'; reconnect: boolean }
  | { type: 'message'; message: Message }
  | { type: 'conversation'; conversation: Conversation; event: ConversationEvent }
  /** A conversation left this agent's view (assigned or transferred to someone else). */
  | { type: 'hidden'; conversationId: number }
  | { type: 'typing'; frame: TypingFrame }
  | { type: 'read'; frame: ReadFrame }
  | { type: 'ack'; frame: AckFrame }
  | { type: 'error'; frame: ErrorFrame }
  /** The pending (un-acked or failed) messages changed. */
  | { type: 'outbox' }
  /** The server dropped live items for this socket; lists may be stale. */
  | { type: 'resync' }
  /** Messages after `afterSeq` are missing in a tracked conversation: refill them over REST. */
  | { type: 'gap'; conversationId: number; afterSeq: number }
  /** Several connection attempts in a row failed before a welcome (e.g. the session ended). */
  | { type: 'failing' }
  /** A notice meant for this agent (reminders, the daily list, to-do changes). */
  | { type: 'notice'; frame: NoticeFrame };

export type SocketListener = (event: SocketEvent) => void;

export interface AgentSocketOptions {
  url: string;
  WebSocketImpl?: SocketFactory;
  random?: () => number;
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
  ackTimeoutMs?: number;
}

interface PendingEntry {
  frame: OutgoingMessage;
  state: PendingState;
  error: string | null;
  inflight: boolean;
  seq: number | null;
  timer: ReturnType<typeof setTimeout> | null;
}

interface SeqState {
  /** Highest seq up to which nothing is missing. */
  mark: number;
  /** Seqs received above the mark. */
  ahead: Set<number>;
  /** Opened by the user: listed in hello, gaps reported. */
  tracked: boolean;
  /** The mark for which a gap was last reported. */
  gapReportedAt: number | null;
}

const OPEN = 1;

export class AgentSocket {
  private readonly url: string;
  private readonly Impl: SocketFactory;
  private readonly random: () => number;
  private readonly pingIntervalMs: number;
  private readonly pongTimeoutMs: number;
  private readonly ackTimeoutMs: number;

  private ws: SocketLike | null = null;
  private welcomed = false;
  private everWelcomed = false;
  private stopped = true;
  private attempt = 0;
  private failures = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private pongTimer: ReturnType<typeof setTimeout> | null = null;

  private readonly seqs = new Map<number, SeqState>();
  private readonly pending = new Map<string, PendingEntry>();
  private readonly listeners = new Set<SocketListener>();
  status: ConnectionStatus = 'closed';

  constructor(opts: AgentSocketOptions) {
    this.url = opts.url;
    this.Impl = opts.WebSocketImpl ?? (globalThis.WebSocket as unknown as SocketFactory);
    this.random = opts.random ?? Math.random;
    this.pingIntervalMs = opts.pingIntervalMs ?? 25_000;
    this.pongTimeoutMs = opts.pongTimeoutMs ?? 10_000;
    this.ackTimeoutMs = opts.ackTimeoutMs ?? 15_000;
  }

  subscribe(listener: SocketListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private emit(event: SocketEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  // ---- connection lifecycle ----

  connect(): void {
    this.stopped = false;
    if (this.ws || this.reconnectTimer) return;
    this.open();
  }

  /** Closes the socket for good; pending messages are kept (connect() sends them again). */
  stop(): void {
    this.stopped = true;
    this.clearReconnect();
    this.drop(false);
  }

  /** Skips the backoff wait (the browser came back online, the tab became visible). */
  reconnectNow(): void {
    if (this.stopped || this.ws) return;
    this.clearReconnect();
    this.open();
  }

  get isOpen(): boolean {
    return this.welcomed && this.ws !== null && this.ws.readyState === OPEN;
  }

  private open(): void {
    this.setStatus('connecting');
    let ws: SocketLike;
    try {
      ws = new this.Impl(this.url);
    } catch {
      this.countFailure();
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    this.welcomed = false;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.raw({ type: 'hello', last_seq: this.helloSeq() });
      this.startPing();
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (this.ws !== ws) return;
      this.alive();
      const frame = parseFrame(ev.data);
      if (frame) this.handle(frame);
    };
    ws.onerror = () => {
      // A close event follows.
    };
    ws.onclose = () => {
      if (this.ws === ws) this.drop(true);
    };
  }

  /** Detaches the current socket; with `reconnect`, schedules the next attempt. */
  private drop(reconnect: boolean): void {
    const ws = this.ws;
    const wasWelcomed = this.welcomed;
    this.ws = null;
    this.welcomed = false;
    this.stopPing();
    for (const entry of this.pending.values()) {
      if (entry.timer) clearTimeout(entry.timer);
      entry.timer = null;
      entry.inflight = false;
    }
    if (ws) {
      ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
      try {
        ws.close();
      } catch {
        // Already closed.
      }
    }
    this.setStatus('closed');
    if (!reconnect || this.stopped) return;
    if (!wasWelcomed && ws) this.countFailure();
    this.scheduleReconnect();
  }

  private countFailure(): void {
    this.failures++;
    if (this.failures >= FAILURES_BEFORE_REPORT) {
      this.failures = 0;
      this.emit({ type: 'failing' });
    }
  }

  private scheduleReconnect(): void {
    this.clearReconnect();
    const delay = backoffDelay(this.attempt, this.random);
    this.attempt++;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.stopped && !this.ws) this.open();
    }, delay);
  }

  private clearReconnect(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }

  private startPing(): void {
    this.stopPing();
    this.pingTimer = setInterval(() => {
      if (!this.raw({ type: 'ping' }) || this.pongTimer) return;
      this.pongTimer = setTimeout(() => {
        this.pongTimer = null;
        // Nothing at all arrived since the ping: the socket is half-open.
        this.drop(true);
      }, this.pongTimeoutMs);
    }, this.pingIntervalMs);
  }

  private stopPing(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.pongTimer) clearTimeout(this.pongTimer);
    this.pingTimer = null;
    this.pongTimer = null;
  }

  private alive(): void {
    if (this.pongTimer) clearTimeout(this.pongTimer);
    this.pongTimer = null;
  }

  private setStatus(status: ConnectionStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.emit({ type: 'status', status });
  }

  private raw(frame: ClientFrame): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== OPEN) return false;
    try {
      ws.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  // ---- incoming frames ----

  private handle(frame: ServerFrame): void {
    switch (frame.type) {
      case 'welcome': {
        const reconnect = this.everWelcomed;
        this.welcomed = true;
        this.everWelcomed = true;
        this.attempt = 0;
        this.failures = 0;
        this.setStatus('open');
        this.flush();
        this.emit({ type: 'welcome', reconnect });
        break;
      }
      case 'ack':
        this.handleAck(frame);
        break;
      case 'message':
        if (frame.message) this.ingest(frame.message);
        break;
      case 'conversation':
        if (frame.conversation) this.emit({ type: 'conversation', conversation: frame.conversation, event: frame.event });
        break;
      case 'conversation_hidden':
        this.emit({ type: 'hidden', conversationId: frame.conversation_id });
        break;
      case 'typing':
        this.emit({ type: 'typing', frame });
        break;
      case 'read':
        this.emit({ type: 'read', frame });
        break;
      case 'error':
        this.handleError(frame);
        break;
      case 'notice':
        if (typeof frame.kind === 'string') this.emit({ type: 'notice', frame });
        break;
      case 'resync':
        // Live items were dropped for this socket: ask again for everything after our marks.
        this.raw({ type: 'hello', last_seq: this.helloSeq() });
        this.emit({ type: 'resync' });
        break;
      default:
        break;
    }
  }

  private handleAck(frame: AckFrame): void {
    const entry = frame.client_id ? this.pending.get(frame.client_id) : undefined;
    if (entry && frame.client_id) {
      if (entry.timer) clearTimeout(entry.timer);
      entry.timer = null;
      entry.inflight = false;
      const st = this.seqs.get(frame.conversation_id);
      if (st && (frame.seq <= st.mark || st.ahead.has(frame.seq))) {
        // The message itself is already here.
        this.pending.delete(frame.client_id);
      } else {
        entry.state = 'acked';
        entry.seq = frame.seq;
      }
      this.emit({ type: 'outbox' });
    }
    this.emit({ type: 'ack', frame });
  }

  private handleError(frame: ErrorFrame): void {
    const entry = frame.client_id ? this.pending.get(frame.client_id) : undefined;
    if (entry) {
      if (entry.timer) clearTimeout(entry.timer);
      entry.timer = null;
      entry.inflight = false;
      entry.state = 'failed';
      entry.error = frame.code;
      this.emit({ type: 'outbox' });
    }
    this.emit({ type: 'error', frame });
    if (frame.code === 'unauthenticated') {
      // The server closes the socket; the session is gone.
      this.emit({ type: 'failing' });
    }
  }

  /**
   * Takes a message from the socket or from a REST page. Returns false for a duplicate
   * (same conversation and seq already seen). Emits `message` for a new one unless `emit` is false.
   */
  ingest(message: Message, emit = true): boolean {
    const seq = Number(message.seq);
    if (!Number.isInteger(seq) || seq < 1) return false;
    let st = this.seqs.get(message.conversation_id);
    if (!st) {
      // First sight of an unopened conversation: count from here.
      st = { mark: seq - 1, ahead: new Set(), tracked: false, gapReportedAt: null };
      this.seqs.set(message.conversation_id, st);
    }
    if (seq <= st.mark || st.ahead.has(seq)) return false;
    st.ahead.add(seq);
    while (st.ahead.has(st.mark + 1)) {
      st.mark++;
      st.ahead.delete(st.mark);
    }
    this.settlePending(message);
    if (emit) this.emit({ type: 'message', message });
    this.reportGap(message.conversation_id, st);
    return true;
  }

  /** A message that arrived settles the pending entry it came from. */
  private settlePending(message: Message): void {
    let changed = false;
    for (const [clientId, entry] of this.pending) {
      const same =
        (message.client_id != null && message.client_id === clientId) ||
        (entry.seq === message.seq && entry.frame.conversation_id === message.conversation_id);
      if (!same) continue;
      if (entry.timer) clearTimeout(entry.timer);
      this.pending.delete(clientId);
      changed = true;
    }
    if (changed) this.emit({ type: 'outbox' });
  }

  private reportGap(conversationId: number, st: SeqState): void {
    if (!st.tracked || st.ahead.size === 0 || st.gapReportedAt === st.mark) return;
    st.gapReportedAt = st.mark;
    this.emit({ type: 'gap', conversationId, afterSeq: st.mark });
  }

  /**
   * Starts tracking a conversation the user opened: everything up to `seq` is known (loaded over
   * REST). Hello asks for what comes after, and holes are reported.
   */
  track(conversationId: number, seq: number): void {
    let st = this.seqs.get(conversationId);
    if (!st) {
      st = { mark: seq, ahead: new Set(), tracked: true, gapReportedAt: null };
      this.seqs.set(conversationId, st);
      return;
    }
    st.tracked = true;
    if (seq > st.mark) {
      st.mark = seq;
      for (const s of st.ahead) if (s <= seq) st.ahead.delete(s);
      while (st.ahead.has(st.mark + 1)) {
        st.mark++;
        st.ahead.delete(st.mark);
      }
    }
    this.reportGap(conversationId, st);
  }

  /** What hello carries: the contiguous mark of every tracked conversation. */
  helloSeq(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [id, st] of this.seqs) if (st.tracked) out[String(id)] = st.mark;
    return out;
  }

  // ---- outgoing ----

  /** Queues a message: sent now when connected, else after the next welcome, until acked. */
  send(frame: OutgoingMessage): void {
    const existing = this.pending.get(frame.client_id);
    if (existing && existing.state !== 'failed') return;
    this.pending.set(frame.client_id, {
      frame: { ...frame },
      state: 'sending',
      error: null,
      inflight: false,
      seq: null,
      timer: null,
    });
    this.emit({ type: 'outbox' });
    if (this.isOpen) this.transmit(frame.client_id);
  }

  /** Sends a refused message again, with the same client_id. */
  retry(clientId: string): void {
    const entry = this.pending.get(clientId);
    if (!entry || entry.state !== 'failed') return;
    entry.state = 'sending';
    entry.error = null;
    this.emit({ type: 'outbox' });
    if (this.isOpen) this.transmit(clientId);
  }

  /** Forgets a pending message (the user gave up on a refused one). */
  discard(clientId: string): void {
    const entry = this.pending.get(clientId);
    if (!entry) return;
    if (entry.timer) clearTimeout(entry.timer);
    this.pending.delete(clientId);
    this.emit({ type: 'outbox' });
  }

  /** Pending messages, oldest first; only those of one conversation when given. */
  outbox(conversationId?: number): PendingMessage[] {
    const out: PendingMessage[] = [];
    for (const entry of this.pending.values()) {
      if (conversationId !== undefined && entry.frame.conversation_id !== conversationId) continue;
      out.push({ ...entry.frame, state: entry.state, error: entry.error });
    }
    return out;
  }

  typing(conversationId: number, on: boolean): boolean {
    if (!this.isOpen) return false;
    return this.raw({ type: 'typing', conversation_id: conversationId, on });
  }

  /** Sends a read mark; false when not connected (try again after the next welcome). */
  read(conversationId: number, seq: number): boolean {
    if (!this.isOpen) return false;
    return this.raw({ type: 'read', conversation_id: conversationId, seq });
  }

  private flush(): void {
    for (const [clientId, entry] of this.pending) {
      if (entry.state === 'sending') this.transmit(clientId);
    }
  }

  private transmit(clientId: string): void {
    const entry = this.pending.get(clientId);
    if (!entry) return;
    const { frame } = entry;
    const wire: ClientFrame = {
      type: 'send',
      client_id: frame.client_id,
      conversation_id: frame.conversation_id,
      text: frame.text,
    };
    if (frame.attachment_id != null) wire.attachment_id = frame.attachment_id;
    if (frame.note) wire.note = true;
    if (!this.raw(wire)) return;
    entry.inflight = true;
    if (entry.timer) clearTimeout(entry.timer);
    const ws = this.ws;
    entry.timer = setTimeout(() => {
      entry.timer = null;
      // Still no ack on the same socket: send the same client_id again.
      if (this.pending.get(clientId) === entry && entry.state === 'sending' && entry.inflight && this.ws === ws) {
        this.transmit(clientId);
      }
    }, this.ackTimeoutMs);
  }
}

/** The agent socket URL for the page's own origin (the server checks the Origin). */
export function agentSocketUrl(location: Pick<Location, 'protocol' | 'host'> = globalThis.location): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/api/v1/ws`;
}
