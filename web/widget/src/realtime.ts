// The visitor WebSocket client (docs/protocol/realtime.md).
//
// - `hello` with the last contiguous seq per conversation on every (re)connect;
// - `message` frames deduplicated by (conversation_id, seq), gaps reported for a REST refill;
// - outgoing messages keep their client_id and are re-sent until acked (after a reconnect or
//   an ack timeout); the server answers the same ack for a repeated client_id;
// - reconnect with exponential backoff and jitter, capped at 30 s;
// - ping keep-alive that detects half-open sockets.

import type {
  AckFrame,
  Conversation,
  ErrorFrame,
  Message,
  OutgoingMessage,
  QueueFrame,
  ReadFrame,
  ServerFrame,
  TypingFrame,
} from './types';

export type ConnectionStatus = 'connecting' | 'open' | 'closed';

export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_MAX_MS = 30_000;
/** Failed attempts without a welcome before onRepeatedFailure fires. */
export const FAILURES_BEFORE_RECHECK = 3;

/** Delay before reconnect attempt `attempt` (0-based): equal jitter in [cap/2, cap], cap ≤ 30 s. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const exp = Math.min(attempt, 16);
  const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** exp);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(cap / 2 + (r * cap) / 2);
}

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

type PendingStatus = 'queued' | 'inflight' | 'failed';

interface PendingEntry {
  frame: OutgoingMessage;
  status: PendingStatus;
  timer: ReturnType<typeof setTimeout> | null;
}

export interface RealtimeOptions {
  url: string;
  WebSocketImpl?: SocketFactory;
  /** Last contiguous seq per conversation id, e.g. restored from localStorage. */
  lastSeq?: Record<string, number>;
  /** Un-acked messages restored from localStorage; re-sent after the first welcome. */
  outbox?: OutgoingMessage[];
  random?: () => number;
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
  ackTimeoutMs?: number;
  onMessage?(message: Message): void;
  onAck?(ack: AckFrame): void;
  onTyping?(frame: TypingFrame): void;
  onRead?(frame: ReadFrame): void;
  onError?(frame: ErrorFrame): void;
  onStatus?(status: ConnectionStatus): void;
  onWelcome?(who: { kind: string; id: number }): void;
  /** Messages after `afterSeq` in this conversation are missing (live delivery skipped some). */
  onGap?(conversationId: number, afterSeq: number): void;
  /** The server refused the token; the client stops until `restart` is called with a new URL. */
  onUnauthenticated?(): void;
  /**
   * Several connection attempts in a row failed before any welcome. A refused upgrade (an
   * expired token answered with HTTP 401) looks exactly like this to a browser.
   */
  onRepeatedFailure?(): void;
  /** A `conversation` frame: the visitor's conversation changed (status, read mark…). */
  onConversation?(conversation: Conversation, event: string): void;
  /** A `queue` frame: the visitor's conversation waits for an agent (its place and estimate). */
  onQueue?(frame: QueueFrame): void;
  /** lastSeq or the outbox changed: persist them. */
  onStateChange?(): void;
}

const OPEN = 1;

export class RealtimeClient {
  private url: string;
  private readonly Impl: SocketFactory;
  private readonly random: () => number;
  private readonly pingIntervalMs: number;
  private readonly pongTimeoutMs: number;
  private readonly ackTimeoutMs: number;

  private ws: SocketLike | null = null;
  private welcomed = false;
  private stopped = true;
  private authFailed = false;
  private attempt = 0;
  private failures = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private pongTimer: ReturnType<typeof setTimeout> | null = null;

  private readonly lastSeq: Record<string, number>;
  /** Seqs received above the contiguous mark, per conversation. */
  private readonly ahead = new Map<string, Set<number>>();
  private readonly gapReported = new Map<string, number>();
  private readonly pending = new Map<string, PendingEntry>();
  status: ConnectionStatus = 'closed';

  constructor(private readonly opts: RealtimeOptions) {
    this.url = opts.url;
    this.Impl = opts.WebSocketImpl ?? (WebSocket as unknown as SocketFactory);
    this.random = opts.random ?? Math.random;
    this.pingIntervalMs = opts.pingIntervalMs ?? 25_000;
    this.pongTimeoutMs = opts.pongTimeoutMs ?? 10_000;
    this.ackTimeoutMs = opts.ackTimeoutMs ?? 15_000;
    this.lastSeq = { ...(opts.lastSeq ?? {}) };
    for (const frame of opts.outbox ?? []) {
      if (frame && typeof frame.client_id === 'string') {
        this.pending.set(frame.client_id, { frame: { ...frame }, status: 'queued', timer: null });
      }
    }
  }

  // ---- connection lifecycle ----

  connect(): void {
    this.stopped = false;
    this.authFailed = false;
    if (this.ws) return;
    this.clearReconnect();
    this.open();
  }

  /** Stops for good (until connect/restart); pending messages stay queued. */
  stop(): void {
    this.stopped = true;
    this.clearReconnect();
    this.drop(false);
  }

  /** New URL (a new visitor token): reconnect immediately with it. */
  restart(url: string): void {
    this.url = url;
    this.stop();
    this.attempt = 0;
    this.connect();
  }

  /** Skip the backoff wait (the browser came back online, the tab became visible). */
  reconnectNow(): void {
    if (this.stopped || this.authFailed || this.ws) return;
    this.clearReconnect();
    this.open();
  }

  get isOpen(): boolean {
    return this.welcomed && !!this.ws && this.ws.readyState === OPEN;
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
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(ev.data)) as ServerFrame;
      } catch {
        return;
      }
      if (frame && typeof frame === 'object') this.handle(frame);
    };
    ws.onerror = () => {
      /* a close event follows */
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.drop(true);
    };
  }

  /** Detaches the current socket; when `reconnect`, schedules the next attempt. */
  private drop(reconnect: boolean): void {
    const ws = this.ws;
    const wasWelcomed = this.welcomed;
    this.ws = null;
    this.welcomed = false;
    this.stopPing();
    for (const entry of this.pending.values()) {
      if (entry.timer) clearTimeout(entry.timer);
      entry.timer = null;
      if (entry.status === 'inflight') entry.status = 'queued';
    }
    if (ws) {
      ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
      try {
        ws.close();
      } catch {
        /* already closed */
      }
    }
    this.setStatus('closed');
    if (!reconnect || this.stopped || this.authFailed) return;
    if (!wasWelcomed && ws) this.countFailure();
    if (!this.stopped && !this.authFailed) this.scheduleReconnect();
  }

  private countFailure(): void {
    this.failures++;
    if (this.failures >= FAILURES_BEFORE_RECHECK) {
      this.failures = 0;
      this.opts.onRepeatedFailure?.();
    }
  }

  private scheduleReconnect(): void {
    this.clearReconnect();
    this.setStatus('closed');
    const delay = backoffDelay(this.attempt, this.random);
    this.attempt++;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.stopped && !this.authFailed && !this.ws) this.open();
    }, delay);
  }

  private clearReconnect(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }

  private startPing(): void {
    this.stopPing();
    this.pingTimer = setInterval(() => {
      if (!this.ws || this.ws.readyState !== OPEN) return;
      this.raw({ type: 'ping' });
      if (!this.pongTimer) {
        this.pongTimer = setTimeout(() => {
          this.pongTimer = null;
          // No frame at all since the ping: the socket is half-open.
          this.drop(true);
        }, this.pongTimeoutMs);
      }
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
    this.opts.onStatus?.(status);
  }

  private raw(frame: object): boolean {
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
      case 'welcome':
        this.welcomed = true;
        this.attempt = 0;
        this.failures = 0;
        this.setStatus('open');
        this.opts.onWelcome?.(frame.who);
        this.flush();
        break;
      case 'ack':
        this.handleAck(frame);
        break;
      case 'message':
        if (frame.message) this.ingest(frame.message);
        break;
      case 'typing':
        this.opts.onTyping?.(frame);
        break;
      case 'read':
        this.opts.onRead?.(frame);
        break;
      case 'error':
        this.handleError(frame);
        break;
      case 'resync':
        // The server dropped live items for this socket (its buffer overflowed): ask again
        // for everything after our contiguous marks.
        this.raw({ type: 'hello', last_seq: this.helloSeq() });
        break;
      case 'conversation':
        if (frame.conversation) this.opts.onConversation?.(frame.conversation, frame.event);
        break;
      case 'queue':
        this.opts.onQueue?.(frame);
        break;
      default:
        break;
    }
  }

  private handleAck(ack: AckFrame): void {
    const entry = this.pending.get(ack.client_id);
    if (entry) {
      if (entry.timer) clearTimeout(entry.timer);
      this.pending.delete(ack.client_id);
      this.opts.onStateChange?.();
    }
    const key = String(ack.conversation_id);
    if (!(key in this.lastSeq)) {
      // A conversation we did not know (the first message opened it): track it from the start.
      this.lastSeq[key] = 0;
      this.opts.onStateChange?.();
    }
    this.opts.onAck?.(ack);
  }

  private handleError(frame: ErrorFrame): void {
    if (frame.client_id) {
      const entry = this.pending.get(frame.client_id);
      if (entry) {
        if (entry.timer) clearTimeout(entry.timer);
        entry.timer = null;
        entry.status = 'failed';
        this.opts.onStateChange?.();
      }
    }
    if (frame.code === 'unauthenticated') {
      this.authFailed = true;
      this.clearReconnect();
      this.drop(false);
      this.opts.onUnauthenticated?.();
    }
    this.opts.onError?.(frame);
  }

  /**
   * Takes a message from the socket or from a REST refill. Returns false for a duplicate.
   */
  ingest(message: Message): boolean {
    if (!message || message.kind === 'note') return false;
    const key = String(message.conversation_id);
    const seq = Number(message.seq);
    if (!Number.isFinite(seq)) return false;
    const last = this.lastSeq[key] ?? 0;
    if (seq <= last) return false;
    let ahead = this.ahead.get(key);
    if (!ahead) {
      ahead = new Set();
      this.ahead.set(key, ahead);
    }
    if (ahead.has(seq)) return false;
    ahead.add(seq);
    let next = last;
    while (ahead.has(next + 1)) {
      next++;
      ahead.delete(next);
    }
    this.lastSeq[key] = next;
    if (message.client_id && this.pending.has(message.client_id)) {
      const entry = this.pending.get(message.client_id)!;
      if (entry.timer) clearTimeout(entry.timer);
      this.pending.delete(message.client_id);
    }
    this.opts.onMessage?.(message);
    this.opts.onStateChange?.();
    if (ahead.size > 0 && this.gapReported.get(key) !== next) {
      this.gapReported.set(key, next);
      this.opts.onGap?.(message.conversation_id, next);
    }
    return true;
  }

  // ---- outgoing ----

  /** Queues a message; it is sent now if connected, else after the next welcome. */
  send(frame: OutgoingMessage): void {
    const existing = this.pending.get(frame.client_id);
    if (existing && existing.status !== 'failed') return;
    this.pending.set(frame.client_id, { frame: { ...frame }, status: 'queued', timer: null });
    this.opts.onStateChange?.();
    if (this.isOpen) this.transmit(frame.client_id);
  }

  /** Sends a failed message again with the same client_id. */
  retry(clientId: string): void {
    const entry = this.pending.get(clientId);
    if (!entry) return;
    entry.status = 'queued';
    if (this.isOpen) this.transmit(clientId);
  }

  discard(clientId: string): void {
    const entry = this.pending.get(clientId);
    if (!entry) return;
    if (entry.timer) clearTimeout(entry.timer);
    this.pending.delete(clientId);
    this.opts.onStateChange?.();
  }

  typing(on: boolean, conversationId?: number | null): void {
    if (!this.isOpen) return;
    const frame: { type: 'typing'; on: boolean; conversation_id?: number } = { type: 'typing', on };
    if (conversationId != null) frame.conversation_id = conversationId;
    this.raw(frame);
  }

  /** Sends a read mark; false when not connected (the caller tries again later). */
  read(conversationId: number, seq: number): boolean {
    if (!this.isOpen) return false;
    return this.raw({ type: 'read', conversation_id: conversationId, seq });
  }

  /** Starts tracking a conversation (hello asks for everything after `seq`). */
  track(conversationId: number, seq = 0): void {
    const key = String(conversationId);
    if (!(key in this.lastSeq)) {
      this.lastSeq[key] = seq;
      this.opts.onStateChange?.();
    }
  }

  private flush(): void {
    for (const [clientId, entry] of this.pending) {
      if (entry.status !== 'failed') this.transmit(clientId);
    }
  }

  private transmit(clientId: string): void {
    const entry = this.pending.get(clientId);
    if (!entry) return;
    const { frame } = entry;
    const wire: Record<string, unknown> = { type: 'send', client_id: frame.client_id };
    if (frame.text != null) wire.text = frame.text;
    if (frame.attachment_id != null) wire.attachment_id = frame.attachment_id;
    if (!this.raw(wire)) {
      entry.status = 'queued';
      return;
    }
    entry.status = 'inflight';
    if (entry.timer) clearTimeout(entry.timer);
    const ws = this.ws;
    entry.timer = setTimeout(() => {
      entry.timer = null;
      // Still no ack on the same socket: send the same client_id again.
      if (this.pending.get(clientId) === entry && entry.status === 'inflight' && this.ws === ws) {
        this.transmit(clientId);
      }
    }, this.ackTimeoutMs);
  }

  // ---- state for persistence and tests ----

  getLastSeq(): Record<string, number> {
    return { ...this.lastSeq };
  }

  /** What hello carries: the contiguous mark per tracked conversation ({} = everything). */
  helloSeq(): Record<string, number> {
    return { ...this.lastSeq };
  }

  /** Un-acked messages (queued, in flight or failed), oldest first. */
  outbox(): Array<OutgoingMessage & { status: PendingStatus }> {
    return Array.from(this.pending.values(), (e) => ({ ...e.frame, status: e.status }));
  }

  pendingStatus(clientId: string): PendingStatus | null {
    return this.pending.get(clientId)?.status ?? null;
  }
}
