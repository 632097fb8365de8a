import type { SocketLike } from '../realtime/AgentSocket';

/** A WebSocket stand-in the test drives: `accept()` opens it with a welcome, `frame()` delivers. */
export class FakeSocket implements SocketLike {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: Array<Record<string, unknown>> = [];
  onopen: ((ev: Event) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  closed = false;

  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close() {
    this.closed = true;
    this.readyState = 3;
  }
  /** The server accepts: open, then welcome. */
  accept() {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
    this.frame({ type: 'welcome', who: { kind: 'agent', id: 1 } });
  }
  frame(value: unknown) {
    this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(value) }));
  }
  /** The network drops the socket. */
  lose() {
    this.readyState = 3;
    this.onclose?.(new CloseEvent('close'));
  }
  sentOf(type: string) {
    return this.sent.filter((f) => f.type === type);
  }
  static last(): FakeSocket {
    const socket = FakeSocket.all.at(-1);
    if (!socket) throw new Error('no socket was opened');
    return socket;
  }
  /** The socket the app currently uses (the newest one not closed). */
  static live(): FakeSocket {
    const socket = [...FakeSocket.all].reverse().find((s) => !s.closed);
    if (!socket) throw new Error('no open socket');
    return socket;
  }
}
