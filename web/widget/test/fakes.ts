// Test doubles: a scriptable WebSocket and a routed fetch.

import { vi } from 'vitest';
import type { Message } from '../src/types';

export class FakeWebSocket {
  static instances: FakeWebSocket[] = [];
  static reset(): void {
    FakeWebSocket.instances = [];
  }
  static get last(): FakeWebSocket {
    return FakeWebSocket.instances[FakeWebSocket.instances.length - 1];
  }

  readyState = 0;
  sent: Array<Record<string, unknown>> = [];
  onopen: ((ev: Event) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  closed = false;

  constructor(public url: string) {
    FakeWebSocket.instances.push(this);
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }

  close(): void {
    this.closed = true;
    this.readyState = 3;
  }

  // --- driven by the test (the "server") ---

  serverOpen(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }

  serverSend(frame: unknown): void {
    this.onmessage?.({ data: JSON.stringify(frame) } as MessageEvent);
  }

  serverClose(): void {
    this.readyState = 3;
    this.onclose?.({ code: 1006 } as CloseEvent);
  }

  /** Open, receive hello, answer welcome. */
  handshake(): void {
    this.serverOpen();
    this.serverSend({ type: 'welcome', who: { kind: 'visitor', id: 1 } });
  }

  framesOf(type: string): Array<Record<string, unknown>> {
    return this.sent.filter((f) => f.type === type);
  }
}

let nextId = 1000;

export function msg(partial: Partial<Message> & { conversation_id: number; seq: number }): Message {
  return {
    id: nextId++,
    sender: { kind: 'agent', id: 7, name: '小王' },
    kind: 'text',
    text: `message ${partial.seq}`,
    attachment: null,
    client_id: null,
    created_at: '2026-11-21T05:11:23.123Z',
    ...partial,
  };
}

export interface Route {
  method: string;
  path: RegExp | string;
  status?: number;
  body?: unknown | ((req: { url: string; init: RequestInit; json: unknown }) => unknown);
  /** Full control: status and body from the request. */
  respond?: (req: { url: string; init: RequestInit; json: unknown }) => { status: number; body?: unknown };
}

export interface FetchCall {
  method: string;
  url: string;
  headers: Record<string, string>;
  json: unknown;
  body: BodyInit | null | undefined;
}

/** A fetch that answers from `routes` (first match wins) and records every call. */
export function routedFetch(routes: Route[]) {
  const calls: FetchCall[] = [];
  const fn = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input);
    const method = (init.method ?? 'GET').toUpperCase();
    let json: unknown = undefined;
    if (typeof init.body === 'string') json = JSON.parse(init.body);
    calls.push({ method, url, headers: (init.headers ?? {}) as Record<string, string>, json, body: init.body });
    const path = new URL(url).pathname + new URL(url).search;
    const route = routes.find(
      (r) => r.method === method && (typeof r.path === 'string' ? path === r.path : r.path.test(path)),
    );
    if (!route) return new Response(JSON.stringify({ error: { code: 'not_found', message: 'no route' } }), { status: 404 });
    const req = { url, init, json };
    const answer = route.respond?.(req);
    const status = answer?.status ?? route.status ?? 200;
    const body = answer ? answer.body : typeof route.body === 'function' ? route.body(req) : route.body;
    if (status === 204) return new Response(null, { status });
    return new Response(JSON.stringify(body ?? {}), { status, headers: { 'Content-Type': 'application/json' } });
  });
  return { fetch: fn as unknown as typeof fetch, calls };
}

export const flush = () => new Promise<void>((r) => setTimeout(r, 0));
