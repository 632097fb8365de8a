// The chat session: REST (config, session, history refill, uploads, CSAT, page views) plus the
// realtime client, reduced to one immutable state object the UI subscribes to.

import { ApiError, WidgetApi } from './api';
import { detectDevice, pageInfo, parseEntry, parseUtm, websocketUrl } from './env';
import { resolveLocale, type Locale, type MessageKey } from './i18n';
import { watchNavigation } from './navigation';
import { RealtimeClient, type ConnectionStatus, type SocketFactory } from './realtime';
import { ChannelStore, safeLocalStorage, type KeyValueStore } from './storage';
import type {
  AckFrame,
  Attachment,
  Conversation,
  ErrorFrame,
  Identity,
  Message,
  Notice,
  NoticesResponse,
  OutgoingMessage,
  QueueFrame,
  SessionRequest,
  SessionResponse,
  TypingFrame,
  WidgetConfig,
} from './types';
import { newClientId } from './uuid';

export const MAX_TEXT = 10_000;
export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
const CACHE_LIMIT = 300;
/** The message centre is refreshed this often while the panel is on screen. */
export const NOTICE_POLL_MS = 60_000;

export type PendingStatus = 'uploading' | 'sending' | 'sent' | 'failed';

export interface PendingView {
  client_id: string;
  text?: string;
  attachment_id?: number | string;
  attachment?: { url: string; name: string; mime: string; size: number } | null;
  /** A local object URL showing the image before (and while) it uploads. */
  preview?: string;
  status: PendingStatus;
  error?: MessageKey;
  created_at: string;
}

export type CsatState = 'none' | 'prompt' | 'sending' | 'done';

/** The visitor's place in the queue while their conversation waits for an agent. */
export interface QueueState {
  conversation_id: number;
  /** 1 = next to be served. */
  position: number;
  /** null: not enough history for an estimate. */
  estimated_wait_secs: number | null;
  /** The highest seq known when the frame came: only a later agent message ends the wait. */
  seq: number;
}

/** A `queue` frame (or its stored copy) checked; null when unusable. */
export function parseQueue(raw: unknown): QueueState | null {
  if (!isPlainObject(raw)) return null;
  const id = raw.conversation_id;
  const position = raw.position;
  const wait = raw.estimated_wait_secs;
  if (typeof id !== 'number' || !Number.isInteger(id) || typeof position !== 'number' || !Number.isInteger(position) || position < 1) {
    return null;
  }
  return {
    conversation_id: id,
    position,
    estimated_wait_secs: typeof wait === 'number' && Number.isFinite(wait) && wait >= 0 ? wait : null,
    seq: typeof raw.seq === 'number' && Number.isFinite(raw.seq) ? raw.seq : 0,
  };
}

/** The message centre: the visitor's ticket progress notices (not the transient `notice` toast). */
export interface NoticesState {
  /** Newest first. */
  items: Notice[];
  unread: number;
  /** The centre is shown in the panel instead of the chat. */
  open: boolean;
  /** A request is under way (the list, if any, stays shown). */
  loading: boolean;
  /** The last request failed. */
  error: boolean;
  /** Loaded at least once for this visitor. */
  loaded: boolean;
  /** Unread when shown in this opening of the centre: they keep their marker until it closes. */
  fresh: number[];
}

export function emptyNotices(): NoticesState {
  return { items: [], unread: 0, open: false, loading: false, error: false, loaded: false, fresh: [] };
}

/** A notice from the server checked and normalised; null when unusable. */
export function parseNotice(raw: unknown): Notice | null {
  if (!isPlainObject(raw) || typeof raw.id !== 'number' || !Number.isFinite(raw.id)) return null;
  const str = (v: unknown) => (typeof v === 'string' ? v : v == null ? '' : String(v));
  const optional = (v: unknown) => (typeof v === 'string' && v ? v : null);
  return {
    id: raw.id,
    ticket_id: typeof raw.ticket_id === 'number' ? raw.ticket_id : null,
    notice_kind: optional(raw.notice_kind),
    subject: str(raw.subject),
    body: str(raw.body),
    created_at: str(raw.created_at),
    read_at: optional(raw.read_at),
    ticket_url: optional(raw.ticket_url),
  };
}

export interface ChatState {
  phase: 'loading' | 'ready' | 'error';
  error: MessageKey | null;
  config: WidgetConfig | null;
  locale: Locale;
  open: boolean;
  connection: ConnectionStatus;
  conversation: Conversation | null;
  messages: Message[];
  pending: PendingView[];
  needsForm: boolean;
  typing: { name: string | null } | null;
  agentRead: Record<string, number>;
  notice: MessageKey | null;
  csat: CsatState;
  unread: number;
  /** Set while the current conversation waits for an agent (the banner above the composer). */
  queue: QueueState | null;
  /** The message centre. */
  notices: NoticesState;
}

export interface ControllerOptions {
  base: string;
  channelKey: string;
  mode: 'embed' | 'h5';
  locale?: string | null;
  entry?: string | null;
  fetchImpl?: typeof fetch;
  WebSocketImpl?: SocketFactory;
  storage?: KeyValueStore;
  /** Report page views on load and on history navigation (embed mode). */
  trackPages?: boolean;
}

type Listener = (state: ChatState) => void;

function messageKey(m: { conversation_id: number; seq: number }): string {
  return `${m.conversation_id}:${m.seq}`;
}

function compareMessages(a: Message, b: Message): number {
  return a.conversation_id - b.conversation_id || a.seq - b.seq;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** Keeps only the documented identity fields, so the server's strict body check passes. */
export function normaliseIdentity(input: unknown): Identity | null {
  if (!isPlainObject(input)) return null;
  const userId = input.user_id;
  if (userId == null || userId === '' || typeof input.hmac !== 'string' || !input.hmac) return null;
  const identity: Identity = { user_id: String(userId), hmac: input.hmac };
  for (const key of ['name', 'email', 'phone'] as const) {
    const v = input[key];
    if (typeof v === 'string' && v.trim()) identity[key] = v;
  }
  if (isPlainObject(input.attributes)) identity.attributes = input.attributes;
  return identity;
}

export class ChatController {
  readonly api: WidgetApi;
  private readonly store: ChannelStore;
  private state: ChatState;
  private readonly listeners = new Set<Listener>();
  private rt: RealtimeClient | null = null;
  private identity: Identity | null = null;
  private started = false;
  private sessionReady = false;
  private sessionChain: Promise<void> = Promise.resolve();
  private readonly byKey = new Map<string, Message>();
  private readonly files = new Map<string, File>();
  private readonly previews = new Map<string, string>();
  private localRead: Record<string, number>;
  private sentRead: Record<string, number> = {};
  private rated: number[];
  /**
   * The latest queue frame for the current conversation or a newer one not known yet (the
   * frame can arrive before the refresh that learns about a conversation the visitor just
   * opened). Stored, so that the banner survives page navigation on the host site.
   */
  private lastQueue: QueueState | null;
  private visible = false;
  private welcomes = 0;
  private authFailures = 0;
  private forceReconnect = false;
  private typingOn = false;
  private typingSentAt = 0;
  private typingIdle: ReturnType<typeof setTimeout> | null = null;
  private remoteTypingTimer: ReturnType<typeof setTimeout> | null = null;
  private noticeTimer: ReturnType<typeof setTimeout> | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private refreshing: Promise<void> | null = null;
  private noticePoll: ReturnType<typeof setInterval> | null = null;
  private noticesLoading: Promise<void> | null = null;
  private noticesToken: string | null = null;
  /** Marked read here; the server may not know yet (a request under way or failed). */
  private readonly noticesReadLocally = new Set<number>();
  private destroyed = false;
  private pageViewsStarted = false;
  private stopNavigation: (() => void) | null = null;
  private readonly cleanups: Array<() => void> = [];

  constructor(private readonly opts: ControllerOptions) {
    this.store = new ChannelStore(opts.storage ?? safeLocalStorage(), opts.channelKey);
    this.api = new WidgetApi(opts.base, opts.channelKey, opts.fetchImpl);
    this.localRead = this.store.getJson<Record<string, number>>('read', {});
    this.rated = this.store.getJson<number[]>('csat', []);
    this.lastQueue = parseQueue(this.store.getJson<unknown>('queue', null));
    for (const m of this.store.getJson<Message[]>('messages', [])) {
      if (m && typeof m.seq === 'number' && typeof m.conversation_id === 'number') this.byKey.set(messageKey(m), m);
    }
    const pending = this.store
      .getJson<PendingView[]>('outbox', [])
      .filter((p) => p && typeof p.client_id === 'string' && (p.text != null || p.attachment_id != null))
      .map((p) => ({ ...p, status: 'sending' as const, error: undefined }));
    this.state = {
      phase: 'loading',
      error: null,
      config: null,
      locale: resolveLocale(opts.locale, typeof navigator !== 'undefined' ? navigator.language : null),
      open: opts.mode === 'h5' || this.store.get('open') === '1',
      connection: 'closed',
      conversation: null,
      messages: this.sortedMessages(),
      pending,
      needsForm: false,
      typing: null,
      agentRead: {},
      notice: null,
      csat: 'none',
      unread: 0,
      // Shown once the session confirms the conversation still waits.
      queue: null,
      notices: emptyNotices(),
    };
    this.state.unread = this.countUnread();
  }

  // ---- subscription ----

  getState(): ChatState {
    return this.state;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(patch: Partial<ChatState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of Array.from(this.listeners)) l(this.state);
  }

  // ---- lifecycle ----

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.watchEnvironment();
    await this.load();
  }

  /** (Re)loads config and session; used by start and the error screen's retry button. */
  async load(): Promise<void> {
    this.set({ phase: 'loading', error: null });
    let config: WidgetConfig;
    try {
      config = await this.api.config();
    } catch (err) {
      this.fail(err);
      return;
    }
    config = {
      channel: {
        name: config?.channel?.name ?? '',
        greeting: config?.channel?.greeting ?? null,
        colour: config?.channel?.colour ?? null,
        locale: config?.channel?.locale ?? null,
      },
      pre_chat_form: Array.isArray(config?.pre_chat_form) ? config.pre_chat_form : [],
    };
    const locale = resolveLocale(
      this.opts.locale,
      typeof navigator !== 'undefined' ? navigator.language : null,
      config.channel.locale,
    );
    this.set({ config, locale });
    try {
      await this.enqueueSession();
    } catch (err) {
      this.fail(err);
      return;
    }
    this.set({ phase: 'ready' });
    void this.loadNotices();
  }

  private fail(err: unknown): void {
    let error: MessageKey = 'error_generic';
    if (err instanceof ApiError) {
      if (err.status === 404) error = 'error_channel_not_found';
      else if (err.status === 0) error = 'error_network';
    }
    if (!(err instanceof ApiError)) console.error('[yingke]', err);
    this.set({ phase: 'error', error });
  }

  destroy(): void {
    this.destroyed = true;
    this.rt?.stop();
    this.rt = null;
    this.stopNavigation?.();
    for (const c of this.cleanups.splice(0)) c();
    for (const t of [this.typingIdle, this.remoteTypingTimer, this.noticeTimer, this.refreshTimer]) {
      if (t) clearTimeout(t);
    }
    if (this.noticePoll) clearInterval(this.noticePoll);
    this.noticePoll = null;
    for (const url of this.previews.values()) revoke(url);
    this.previews.clear();
    this.listeners.clear();
  }

  private watchEnvironment(): void {
    if (typeof window === 'undefined') return;
    const online = () => this.rt?.reconnectNow();
    const visibility = () => {
      if (document.visibilityState === 'visible') this.rt?.reconnectNow();
      this.updateRead();
      this.syncNoticePoll();
      // Back to a tab showing the centre: what came meanwhile (the poll slept while hidden).
      if (document.visibilityState === 'visible' && this.state.notices.open && this.panelVisible()) void this.loadNotices();
      else this.markShownNoticesRead();
    };
    window.addEventListener('online', online);
    document.addEventListener('visibilitychange', visibility);
    this.cleanups.push(() => {
      window.removeEventListener('online', online);
      document.removeEventListener('visibilitychange', visibility);
    });
  }

  // ---- session ----

  private enqueueSession(form?: Record<string, string>): Promise<SessionResponse> {
    const run = this.sessionChain.then(() => this.establish(form));
    this.sessionChain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  sessionBody(form?: Record<string, string>): SessionRequest {
    const body: SessionRequest = {};
    const token = this.store.get('token');
    if (token) body.visitor_token = token;
    const search = typeof location !== 'undefined' ? location.search : '';
    const entry = parseEntry(search, this.opts.entry);
    if (entry) body.entry = entry;
    if (typeof document !== 'undefined') body.page = pageInfo(document, location);
    const utm = parseUtm(search);
    if (utm) body.utm = utm;
    if (typeof navigator !== 'undefined') {
      body.device = detectDevice(navigator.userAgent || '', typeof window !== 'undefined' ? window.innerWidth : 0);
      if (navigator.language) body.language = navigator.language;
    }
    if (this.identity) body.identity = this.identity;
    if (form) body.form = form;
    return body;
  }

  private async establish(form?: Record<string, string>): Promise<SessionResponse> {
    let body = this.sessionBody(form);
    let res: SessionResponse;
    try {
      res = await this.api.session(body);
    } catch (err) {
      if (!(err instanceof ApiError) || err.transient) throw err;
      if (err.code === 'identity_invalid' && body.identity) {
        console.warn('[yingke] identify(): the server refused the identity (check the HMAC); continuing anonymously.');
        this.identity = null;
      } else if (body.visitor_token && err.status !== 422) {
        // The stored token is no longer accepted: start as a new visitor.
        this.store.remove('token');
      } else {
        throw err;
      }
      body = this.sessionBody(form);
      res = await this.api.session(body);
    }
    this.adopt(res);
    return res;
  }

  private adopt(res: SessionResponse): void {
    const previousToken = this.store.get('token');
    const previousContact = this.store.get('contact');
    const contact = String(res.contact?.id ?? '');
    if (previousContact && contact && previousContact !== contact) this.wipeConversationState();
    if (contact) this.store.set('contact', contact);
    this.api.token = res.visitor_token;
    this.store.set('token', res.visitor_token);

    const conversation = res.conversation ?? null;
    const formFields = this.state.config?.pre_chat_form ?? [];
    const needsForm = formFields.length > 0 && !conversation && this.store.get('form') !== '1';
    const agentRead = { ...this.state.agentRead };
    if (conversation?.agent_read_seq) agentRead[String(conversation.id)] = conversation.agent_read_seq;
    this.set({ conversation, needsForm, csat: this.csatFor(conversation), agentRead, queue: this.queueFor(conversation) });

    const tokenChanged = previousToken !== res.visitor_token;
    if (!this.rt || tokenChanged || this.forceReconnect) {
      this.forceReconnect = false;
      this.connect();
    }
    if (conversation) this.rt?.track(conversation.id, 0);
    this.sessionReady = true;
    this.startPageViews();
    // Another visitor (or the same one with a new token) after the first load: their notices.
    if (tokenChanged && this.state.phase === 'ready') void this.loadNotices();
    this.syncNoticePoll();
  }

  private wipeConversationState(): void {
    this.rt?.stop();
    this.rt = null;
    this.byKey.clear();
    this.localRead = {};
    this.sentRead = {};
    this.rated = [];
    this.lastQueue = null;
    for (const url of this.previews.values()) revoke(url);
    this.previews.clear();
    this.files.clear();
    for (const name of ['messages', 'seq', 'outbox', 'read', 'form', 'csat', 'queue']) this.store.remove(name);
    this.noticesReadLocally.clear();
    this.noticesLoading = null;
    this.noticesToken = null;
    const notices = { ...emptyNotices(), open: this.state.notices.open };
    this.set({ messages: [], pending: [], agentRead: {}, unread: 0, typing: null, queue: null, notices });
  }

  private connect(): void {
    this.rt?.stop();
    const token = this.api.token;
    if (!token) return;
    const outbox: OutgoingMessage[] = this.state.pending
      .filter((p) => p.status !== 'uploading' && (p.text != null || p.attachment_id != null))
      .map((p) => {
        const frame: OutgoingMessage = { client_id: p.client_id };
        if (p.text != null) frame.text = p.text;
        if (p.attachment_id != null) frame.attachment_id = p.attachment_id;
        return frame;
      });
    this.welcomes = 0;
    this.rt = new RealtimeClient({
      url: websocketUrl(this.opts.base, token),
      WebSocketImpl: this.opts.WebSocketImpl,
      lastSeq: this.store.getJson<Record<string, number>>('seq', {}),
      outbox,
      onMessage: (m) => this.onMessage(m),
      onAck: (a) => this.onAck(a),
      onTyping: (f) => this.onTyping(f),
      onRead: (f) => {
        if (f.by?.kind === 'contact') return;
        const key = String(f.conversation_id);
        const agentRead = { ...this.state.agentRead, [key]: Math.max(this.state.agentRead[key] ?? 0, f.seq) };
        this.set({ agentRead });
      },
      onError: (f) => this.onError(f),
      onStatus: (connection) => this.set({ connection }),
      onWelcome: () => {
        this.welcomes++;
        this.authFailures = 0;
        this.sentRead = {};
        if (this.welcomes > 1) {
          // Reconnected: whatever happened meanwhile, including new notices.
          this.scheduleRefresh(0);
          void this.loadNotices();
        }
        this.updateRead();
      },
      onGap: () => this.scheduleRefresh(0),
      onConversation: (conversation) => this.applyConversation(conversation),
      onQueue: (f) => this.onQueue(f),
      onRepeatedFailure: () => {
        // Maybe the token is no longer accepted (a refused upgrade is invisible to browsers):
        // re-post the session; a new token reconnects, the same one keeps retrying.
        this.enqueueSession().catch(() => undefined);
      },
      onUnauthenticated: () => {
        this.authFailures++;
        if (this.authFailures > 1) this.store.remove('token');
        // The socket stopped for good: reconnect after the session, even with the same token.
        this.forceReconnect = true;
        this.enqueueSession().catch((err) => this.fail(err));
      },
      onStateChange: () => this.persistRealtime(),
    });
    this.rt.connect();
  }

  /** Merges the site's identity; re-posts the session when one is already running. */
  identify(input: unknown): void {
    const identity = normaliseIdentity(input);
    if (!identity) {
      console.warn('[yingke] identify() needs at least {user_id, hmac}.');
      return;
    }
    if (this.identity && JSON.stringify(this.identity) === JSON.stringify(identity)) return;
    this.identity = identity;
    if (this.sessionReady) this.enqueueSession().catch((err) => this.fail(err));
  }

  /** Forgets this visitor on this device (e.g. the site's user logged out) and starts afresh. */
  reset(): void {
    this.identity = null;
    this.wipeConversationState();
    this.store.remove('token');
    this.store.remove('contact');
    if (this.sessionReady) this.enqueueSession().catch((err) => this.fail(err));
  }

  async submitForm(values: Record<string, string>): Promise<Record<string, string> | null> {
    const form: Record<string, string> = {};
    for (const field of this.state.config?.pre_chat_form ?? []) {
      const v = (values[field.name] ?? '').trim();
      if (v) form[field.name] = v;
    }
    try {
      await this.enqueueSession(form);
    } catch (err) {
      if (err instanceof ApiError && err.details.length > 0) {
        const errors: Record<string, string> = {};
        for (const d of err.details) errors[d.field.replace(/^form[.[]/, '').replace(/]$/, '')] = d.message;
        return errors;
      }
      return { '': err instanceof ApiError && err.status === 0 ? 'error_network' : 'error_generic' };
    }
    this.store.set('form', '1');
    this.set({ needsForm: false });
    return null;
  }

  // ---- panel ----

  open(): void {
    if (this.state.open) return;
    this.store.set('open', '1');
    this.set({ open: true });
    if (this.sessionReady && this.welcomes > 0) this.scheduleRefresh(0);
    this.syncNoticePoll();
  }

  close(): void {
    if (this.opts.mode === 'h5' || !this.state.open) return;
    this.store.set('open', '0');
    // The panel opens on the chat next time.
    this.set({ open: false, notices: { ...this.state.notices, open: false, fresh: [] } });
    this.stopTyping();
    this.syncNoticePoll();
  }

  toggle(): void {
    if (this.state.open) this.close();
    else this.open();
  }

  /** The UI reports whether the panel is actually on screen (open and the tab visible). */
  setVisible(visible: boolean): void {
    this.visible = visible;
    this.updateRead();
    this.syncNoticePoll();
    this.markShownNoticesRead();
  }

  private panelVisible(): boolean {
    const docVisible = typeof document === 'undefined' || document.visibilityState !== 'hidden';
    return this.visible && this.state.open && docVisible;
  }

  /** The conversation is on screen: the panel is, and the message centre does not cover it. */
  private chatVisible(): boolean {
    return this.panelVisible() && !this.state.notices.open;
  }

  private updateRead(): void {
    if (!this.chatVisible()) return;
    const highest: Record<string, number> = {};
    for (const m of this.byKey.values()) {
      const key = String(m.conversation_id);
      if ((highest[key] ?? 0) < m.seq) highest[key] = m.seq;
    }
    let changed = false;
    for (const [key, seq] of Object.entries(highest)) {
      if ((this.localRead[key] ?? 0) < seq) {
        this.localRead[key] = seq;
        changed = true;
      }
      if ((this.sentRead[key] ?? 0) < seq && this.rt?.read(Number(key), seq)) this.sentRead[key] = seq;
    }
    if (changed) this.store.setJson('read', this.localRead);
    const unread = this.countUnread();
    if (unread !== this.state.unread) this.set({ unread });
  }

  private countUnread(): number {
    let n = 0;
    for (const m of this.byKey.values()) {
      if (m.sender?.kind !== 'agent' && m.sender?.kind !== 'bot') continue;
      if (m.seq > (this.localRead[String(m.conversation_id)] ?? 0)) n++;
    }
    return n;
  }

  // ---- realtime events ----

  private onMessage(m: Message): void {
    this.byKey.set(messageKey(m), m);
    const patch: Partial<ChatState> = { messages: this.sortedMessages() };
    if (m.client_id && this.state.pending.some((p) => p.client_id === m.client_id)) {
      this.dropPreview(m.client_id);
      patch.pending = this.state.pending.filter((p) => p.client_id !== m.client_id);
    }
    if (m.sender?.kind !== 'contact' && this.state.typing) patch.typing = null;
    // An agent wrote in the waiting conversation: it has been taken.
    const queued = this.lastQueue;
    if (m.sender?.kind === 'agent' && queued && queued.conversation_id === m.conversation_id && m.seq > queued.seq) {
      this.dropQueue();
      patch.queue = null;
    }
    this.set(patch);
    this.persistMessages();
    const current = this.state.conversation;
    if (!current || current.id !== m.conversation_id || m.kind === 'event' || m.sender?.kind === 'system') {
      this.scheduleRefresh(250);
    }
    this.updateRead();
    if (this.state.unread !== this.countUnread()) this.set({ unread: this.countUnread() });
  }

  private onAck(ack: AckFrame): void {
    const pending = this.state.pending.map((p) =>
      p.client_id === ack.client_id ? { ...p, status: 'sent' as const, error: undefined } : p,
    );
    this.set({ pending, needsForm: false });
    this.persistOutbox();
    const current = this.state.conversation;
    if (!current || current.id !== ack.conversation_id || current.status === 'resolved' || current.status === 'closed') {
      this.scheduleRefresh(0);
    }
  }

  private onTyping(f: TypingFrame): void {
    if (!f.from || f.from.kind === 'contact') return;
    if (this.remoteTypingTimer) clearTimeout(this.remoteTypingTimer);
    this.remoteTypingTimer = null;
    if (!f.on) {
      this.set({ typing: null });
      return;
    }
    let name: string | null = null;
    for (const m of this.byKey.values()) {
      if (m.sender?.kind === f.from.kind && m.sender.id === f.from.id && m.sender.name) name = m.sender.name;
    }
    this.set({ typing: { name } });
    // The "off" frame is ephemeral and may be lost: expire the indicator.
    this.remoteTypingTimer = setTimeout(() => this.set({ typing: null }), 8000);
  }

  private onQueue(f: QueueFrame): void {
    const id = f.conversation_id;
    const current = this.state.conversation;
    // Another (older) conversation's place: not ours to show.
    if (typeof id !== 'number' || (current && id < current.id)) return;
    const seq = Math.max(this.highestSeq(id), current?.id === id ? (current.last_seq ?? 0) : 0);
    const queue = parseQueue({ ...f, seq });
    if (!queue) return;
    this.lastQueue = queue;
    this.store.setJson('queue', queue);
    if (current && current.id === id) this.set({ queue });
    // A conversation we do not know yet (the visitor's message just opened it): learn about it;
    // applyConversation shows the banner once it is the current one and still waits.
    else this.scheduleRefresh(0);
  }

  /** The queue banner for this view of the current conversation: only while it waits. */
  private queueFor(conversation: Conversation | null): QueueState | null {
    const q = this.lastQueue;
    // Nothing known, or the place of a newer conversation that we are about to learn about.
    if (!q || !conversation || q.conversation_id > conversation.id) return null;
    if (q.conversation_id === conversation.id && conversation.status === 'pending') return q;
    // Taken (open), resolved, closed, or an older conversation's place.
    this.dropQueue();
    return null;
  }

  private dropQueue(): void {
    this.lastQueue = null;
    this.store.remove('queue');
  }

  private highestSeq(conversationId: number): number {
    let seq = 0;
    for (const m of this.byKey.values()) if (m.conversation_id === conversationId && m.seq > seq) seq = m.seq;
    return seq;
  }

  private onError(f: ErrorFrame): void {
    if (f.code === 'rate_limited') this.notice('rate_limited');
    if (f.client_id) {
      const error: MessageKey = f.code === 'rate_limited' ? 'rate_limited' : 'message_rejected';
      const pending = this.state.pending.map((p) =>
        p.client_id === f.client_id ? { ...p, status: 'failed' as const, error } : p,
      );
      this.set({ pending });
    }
  }

  notice(key: MessageKey, ms = 5000): void {
    if (this.noticeTimer) clearTimeout(this.noticeTimer);
    this.set({ notice: key });
    this.noticeTimer = setTimeout(() => this.set({ notice: null }), ms);
  }

  dismissNotice(): void {
    if (this.noticeTimer) clearTimeout(this.noticeTimer);
    this.set({ notice: null });
  }

  // ---- REST refresh: conversation status and missing messages ----

  private scheduleRefresh(delay: number): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      this.refresh().catch(() => undefined);
    }, delay);
  }

  /** Fetches the current conversation and any messages after our contiguous seq. */
  refresh(): Promise<void> {
    if (this.refreshing) return this.refreshing;
    const run = async () => {
      if (!this.api.token) return;
      const seqs = this.rt?.getLastSeq() ?? {};
      const current = this.state.conversation;
      let res = await this.api.messages(current ? (seqs[String(current.id)] ?? 0) : 0);
      if (res.conversation && current && res.conversation.id !== current.id) {
        // The server's current conversation is another one: ask again from its own mark.
        res = await this.api.messages(seqs[String(res.conversation.id)] ?? 0);
      }
      if (res.conversation) this.rt?.track(res.conversation.id, 0);
      for (const m of res.items ?? []) this.rt?.ingest(m);
      if (res.conversation) this.applyConversation(res.conversation);
    };
    this.refreshing = run().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** A newer view of the visitor's conversation (REST refresh or a `conversation` frame). */
  private applyConversation(conversation: Conversation): void {
    const current = this.state.conversation;
    if (current && conversation.id < current.id) return;
    this.rt?.track(conversation.id, 0);
    const patch: Partial<ChatState> = { conversation, needsForm: false, queue: this.queueFor(conversation) };
    if (this.state.csat !== 'sending') patch.csat = this.csatFor(conversation);
    const key = String(conversation.id);
    const agentSeq = conversation.agent_read_seq ?? 0;
    if (agentSeq > (this.state.agentRead[key] ?? 0)) patch.agentRead = { ...this.state.agentRead, [key]: agentSeq };
    this.set(patch);
  }

  private csatFor(conversation: Conversation | null): CsatState {
    if (!conversation || conversation.status !== 'resolved') return 'none';
    if (this.rated.includes(conversation.id)) return 'done';
    // Rated elsewhere (another device): nothing to ask.
    return conversation.csat_score != null ? 'none' : 'prompt';
  }

  async submitCsat(score: number, comment: string): Promise<boolean> {
    const conversation = this.state.conversation;
    if (!conversation || score < 1 || score > 5) return false;
    this.set({ csat: 'sending' });
    try {
      await this.api.csat(Math.round(score), comment);
    } catch {
      this.set({ csat: 'prompt' });
      return false;
    }
    this.rated = [...this.rated.filter((id) => id !== conversation.id), conversation.id].slice(-20);
    this.store.setJson('csat', this.rated);
    this.set({ csat: 'done' });
    return true;
  }

  // ---- message centre ----

  /** Shows the message centre instead of the chat, refreshes it and reads what it shows. */
  openNotices(): void {
    if (!this.state.notices.open) {
      this.stopTyping();
      this.patchNotices({ open: true, fresh: [] });
    }
    this.markShownNoticesRead();
    void this.loadNotices();
  }

  /** Back to the chat. */
  closeNotices(): void {
    if (!this.state.notices.open) return;
    this.patchNotices({ open: false, fresh: [] });
    // Messages that came while the centre was shown are on screen now.
    this.updateRead();
  }

  /** Fetches the notices (once at a time per visitor token); failures are kept in the state. */
  loadNotices(): Promise<void> {
    const token = this.api.token;
    if (!token || this.destroyed) return Promise.resolve();
    if (this.noticesLoading && this.noticesToken === token) return this.noticesLoading;
    this.noticesToken = token;
    if (!this.state.notices.loading) this.patchNotices({ loading: true });
    const current = (async () => {
      let res: NoticesResponse;
      try {
        res = await this.api.notices();
      } catch {
        if (this.noticesToken === token) this.patchNotices({ loading: false, error: true });
        return;
      }
      // A visitor change meanwhile: the answer is someone else's.
      if (this.noticesToken !== token || this.api.token !== token) return;
      this.applyNotices(res);
    })();
    const run = current.finally(() => {
      if (this.noticesLoading === run) this.noticesLoading = null;
    });
    this.noticesLoading = run;
    return run;
  }

  private applyNotices(res: NoticesResponse): void {
    const now = new Date().toISOString();
    let overridden = 0;
    const items: Notice[] = [];
    for (const raw of Array.isArray(res?.items) ? res.items : []) {
      const n = parseNotice(raw);
      if (!n) continue;
      if (n.read_at) {
        this.noticesReadLocally.delete(n.id);
      } else if (this.noticesReadLocally.has(n.id)) {
        // Marked read here while the server had not heard yet.
        n.read_at = now;
        overridden++;
      }
      items.push(n);
    }
    const counted = items.filter((n) => !n.read_at).length;
    const reported = typeof res?.unread === 'number' && Number.isFinite(res.unread) ? res.unread - overridden : 0;
    // The server's count covers notices beyond the list it sent, if any.
    const unread = Math.max(counted, reported);
    this.patchNotices({ items, unread, loading: false, error: false, loaded: true });
    this.markShownNoticesRead();
  }

  /** While the centre is on screen, what it shows is read: optimistic, a failure is retried later. */
  private markShownNoticesRead(): void {
    const c = this.state.notices;
    if (!c.open || !this.panelVisible()) return;
    const now = new Date().toISOString();
    const ids: number[] = [];
    const items = c.items.map((n) => {
      if (n.read_at) return n;
      ids.push(n.id);
      return { ...n, read_at: now };
    });
    if (ids.length === 0) return;
    for (const id of ids) {
      this.noticesReadLocally.add(id);
      this.api.readNotice(id).catch(() => {
        // Unread again at the next load, and read again if the centre is still shown.
        this.noticesReadLocally.delete(id);
      });
    }
    this.patchNotices({ items, unread: Math.max(0, c.unread - ids.length), fresh: [...c.fresh, ...ids] });
  }

  /** Polls the centre while the panel is on screen and the visitor has a token. */
  private syncNoticePoll(): void {
    const wanted = !this.destroyed && !!this.api.token && this.panelVisible();
    if (wanted && !this.noticePoll) {
      this.noticePoll = setInterval(() => void this.loadNotices(), NOTICE_POLL_MS);
    } else if (!wanted && this.noticePoll) {
      clearInterval(this.noticePoll);
      this.noticePoll = null;
    }
  }

  private patchNotices(patch: Partial<NoticesState>): void {
    this.set({ notices: { ...this.state.notices, ...patch } });
  }

  // ---- sending ----

  sendText(raw: string): boolean {
    const text = raw.trim();
    if (!text) return false;
    if (text.length > MAX_TEXT) {
      this.notice('text_too_long');
      return false;
    }
    const client_id = newClientId();
    const view: PendingView = { client_id, text, status: 'sending', created_at: new Date().toISOString() };
    this.set({ pending: [...this.state.pending, view], needsForm: false });
    this.stopTyping();
    this.rt?.send({ client_id, text });
    this.persistOutbox();
    return true;
  }

  /** Checks and uploads an image, then sends it. Returns an error key when refused up front. */
  sendFile(file: File): MessageKey | null {
    if (!file.type || !file.type.startsWith('image/')) return 'image_only';
    if (file.size > MAX_IMAGE_BYTES) return 'image_too_large';
    const client_id = newClientId();
    let preview: string | null = null;
    try {
      preview = URL.createObjectURL(file);
      this.previews.set(client_id, preview);
    } catch {
      preview = null;
    }
    this.files.set(client_id, file);
    const view: PendingView = {
      client_id,
      status: 'uploading',
      preview: preview ?? undefined,
      attachment: { url: '', name: file.name, mime: file.type, size: file.size },
      created_at: new Date().toISOString(),
    };
    this.set({ pending: [...this.state.pending, view], needsForm: false });
    void this.upload(client_id);
    return null;
  }

  private async upload(clientId: string): Promise<void> {
    const file = this.files.get(clientId);
    if (!file) return;
    this.patchPending(clientId, { status: 'uploading', error: undefined });
    let attachment: Attachment;
    try {
      attachment = await this.api.upload(file);
    } catch {
      this.patchPending(clientId, { status: 'failed', error: 'upload_failed' });
      return;
    }
    this.files.delete(clientId);
    this.patchPending(clientId, {
      status: 'sending',
      attachment_id: attachment.id,
      attachment: {
        url: this.attachmentUrl(attachment.url) ?? '',
        name: attachment.name,
        mime: attachment.mime,
        size: attachment.size,
      },
    });
    this.rt?.send({ client_id: clientId, attachment_id: attachment.id });
    this.persistOutbox();
  }

  retry(clientId: string): void {
    if (this.files.has(clientId)) {
      void this.upload(clientId);
      return;
    }
    this.patchPending(clientId, { status: 'sending', error: undefined });
    this.rt?.retry(clientId);
  }

  discard(clientId: string): void {
    this.files.delete(clientId);
    this.dropPreview(clientId);
    this.rt?.discard(clientId);
    this.set({ pending: this.state.pending.filter((p) => p.client_id !== clientId) });
    this.persistOutbox();
  }

  private patchPending(clientId: string, patch: Partial<PendingView>): void {
    this.set({ pending: this.state.pending.map((p) => (p.client_id === clientId ? { ...p, ...patch } : p)) });
  }

  private dropPreview(clientId: string): void {
    const url = this.previews.get(clientId);
    if (url) revoke(url);
    this.previews.delete(clientId);
  }

  /** An attachment URL made absolute against the server; only http(s) is accepted. */
  attachmentUrl(raw: string | null | undefined): string | null {
    return this.linkUrl(raw);
  }

  /** A URL from the server (attachment, ticket page) made absolute; only http(s) is accepted. */
  linkUrl(raw: string | null | undefined): string | null {
    if (!raw || typeof raw !== 'string') return null;
    try {
      const url = new URL(raw, this.opts.base);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
    } catch {
      return null;
    }
  }

  // ---- typing ----

  /** Called on every keystroke in the composer; sends `typing` at most every 3 s. */
  userTyping(): void {
    const now = Date.now();
    if (!this.typingOn || now - this.typingSentAt > 3000) {
      this.rt?.typing(true, this.state.conversation?.id);
      this.typingOn = true;
      this.typingSentAt = now;
    }
    if (this.typingIdle) clearTimeout(this.typingIdle);
    this.typingIdle = setTimeout(() => this.stopTyping(), 4000);
  }

  stopTyping(): void {
    if (this.typingIdle) clearTimeout(this.typingIdle);
    this.typingIdle = null;
    if (!this.typingOn) return;
    this.typingOn = false;
    this.rt?.typing(false, this.state.conversation?.id);
  }

  // ---- page views ----

  private startPageViews(): void {
    if (this.pageViewsStarted || !this.opts.trackPages || typeof window === 'undefined') return;
    this.pageViewsStarted = true;
    const report = () => {
      this.api.pageView(pageInfo(document, location)).catch(() => undefined);
    };
    report();
    this.stopNavigation = watchNavigation(report);
  }

  // ---- persistence ----

  private sortedMessages(): Message[] {
    return Array.from(this.byKey.values()).sort(compareMessages);
  }

  private persistMessages(): void {
    const all = this.state.messages;
    this.store.setJson('messages', all.slice(Math.max(0, all.length - CACHE_LIMIT)));
  }

  private persistRealtime(): void {
    if (this.rt) this.store.setJson('seq', this.rt.getLastSeq());
    this.persistOutbox();
  }

  private persistOutbox(): void {
    const outbox = this.state.pending
      .filter((p) => p.status !== 'sent' && (p.text != null || p.attachment_id != null))
      .map((p) => ({
        client_id: p.client_id,
        text: p.text,
        attachment_id: p.attachment_id,
        attachment: p.attachment ?? null,
        status: p.status,
        created_at: p.created_at,
      }));
    this.store.setJson('outbox', outbox);
  }

  /** The realtime client, for tests. */
  get realtime(): RealtimeClient | null {
    return this.rt;
  }
}

function revoke(url: string): void {
  try {
    URL.revokeObjectURL(url);
  } catch {
    /* ignore */
  }
}
