import { ChatController, type ControllerOptions } from '../src/controller';
import type { Conversation, WidgetConfig } from '../src/types';
import { FakeWebSocket, routedFetch, type Route } from './fakes';

export const BASE = 'https://kf.example.com/';

export const CONFIG: WidgetConfig = {
  channel: { name: '迎客商城', greeting: '您好！有什么可以帮您？', colour: '#0ea5e9', locale: 'zh-CN' },
  pre_chat_form: [],
};

export function conversation(partial: Partial<Conversation> = {}): Conversation {
  return { id: 5, status: 'open', last_seq: 0, ...partial };
}

export interface HarnessOptions {
  config?: WidgetConfig;
  session?: Route['body'];
  sessionStatus?: number;
  routes?: Route[];
  controller?: Partial<ControllerOptions>;
}

export function harness(o: HarnessOptions = {}) {
  FakeWebSocket.reset();
  const { fetch, calls } = routedFetch([
    ...(o.routes ?? []),
    { method: 'GET', path: '/api/v1/widget/ck/config', body: o.config ?? CONFIG },
    {
      method: 'POST',
      path: '/api/v1/widget/ck/sessions',
      status: o.sessionStatus,
      body: o.session ?? { visitor_token: 'vt_1', contact: { id: 1, name: null }, conversation: null },
    },
    { method: 'POST', path: '/api/v1/widget/page-views', status: 204 },
    { method: 'GET', path: /^\/api\/v1\/widget\/messages/, body: { items: [], conversation: null } },
    { method: 'GET', path: '/api/v1/widget/notices', body: { items: [], unread: 0 } },
  ]);
  const controller = new ChatController({
    base: BASE,
    channelKey: 'ck',
    mode: 'embed',
    fetchImpl: fetch,
    WebSocketImpl: FakeWebSocket,
    ...o.controller,
  });
  const sessionCalls = () => calls.filter((c) => c.url.endsWith('/api/v1/widget/ck/sessions'));
  return { controller, calls, sessionCalls, ws: () => FakeWebSocket.last };
}
