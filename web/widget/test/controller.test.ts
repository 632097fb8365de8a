import { waitFor } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { normaliseIdentity, parseQueue } from '../src/controller';
import { installPublicApi } from '../src/public-api';
import { FakeWebSocket, msg } from './fakes';
import { CONFIG, conversation, harness } from './harness';

beforeEach(() => {
  history.replaceState(null, '', '/products/42?utm_source=baidu&utm_medium=cpc&yk_entry=ad_plan_7');
  document.title = '商品详情';
});

afterEach(() => {
  vi.restoreAllMocks();
});

const IDENTITY = {
  user_id: 42,
  name: '李雷',
  email: 'lilei@example.cn',
  phone: '13800138000',
  attributes: { vip: true, orders: 3 },
  hmac: '5d41402abc4b2a76b9719d911017c592ae3c34ef1f2b5a2c7b3a8f4bd1b8d5a0',
};

describe('session start', () => {
  it('posts page, utm, entry, device and language, stores the token and opens the socket', async () => {
    const { controller, sessionCalls } = harness({ controller: { entry: 'product_page' } });
    await controller.start();
    const body = sessionCalls()[0].json as Record<string, unknown>;
    expect(body).toEqual({
      entry: 'ad_plan_7',
      page: { url: 'http://localhost:3000/products/42?utm_source=baidu&utm_medium=cpc&yk_entry=ad_plan_7', title: '商品详情' },
      utm: { source: 'baidu', medium: 'cpc' },
      device: expect.stringMatching(/^(mobile|desktop)$/),
      language: navigator.language,
    });
    expect(localStorage.getItem('yingke:ck:token')).toBe('vt_1');
    expect(FakeWebSocket.last.url).toBe('wss://kf.example.com/api/v1/widget/ws?token=vt_1');
    expect(controller.getState().phase).toBe('ready');
  });

  it('sends the stored visitor token to resume', async () => {
    localStorage.setItem('yingke:ck:token', 'vt_old');
    const { controller, sessionCalls } = harness();
    await controller.start();
    expect((sessionCalls()[0].json as { visitor_token: string }).visitor_token).toBe('vt_old');
  });

  it('reports a missing channel', async () => {
    const { controller } = harness({ routes: [{ method: 'GET', path: '/api/v1/widget/ck/config', status: 404, body: { error: { code: 'not_found', message: 'no' } } }] });
    await controller.start();
    expect(controller.getState()).toMatchObject({ phase: 'error', error: 'error_channel_not_found' });
  });
});

describe('identity (HMAC passthrough)', () => {
  it('passes the identity through unchanged, keeping only documented fields', async () => {
    const { controller, sessionCalls } = harness();
    controller.identify({ ...IDENTITY, password: 'never sent' });
    await controller.start();
    expect((sessionCalls()[0].json as { identity: unknown }).identity).toEqual({
      user_id: '42',
      name: '李雷',
      email: 'lilei@example.cn',
      phone: '13800138000',
      attributes: { vip: true, orders: 3 },
      hmac: IDENTITY.hmac,
    });
  });

  it('ignores an identity without user_id or hmac', () => {
    expect(normaliseIdentity({ user_id: 'u1' })).toBeNull();
    expect(normaliseIdentity({ hmac: 'x' })).toBeNull();
    expect(normaliseIdentity('u1')).toBeNull();
  });

  it('identify after load re-posts the session with the token and reconnects with a new token', async () => {
    let n = 0;
    const { controller, sessionCalls } = harness({
      session: () => ({ visitor_token: n++ === 0 ? 'vt_anon' : 'vt_known', contact: { id: n, name: null }, conversation: null }),
    });
    await controller.start();
    expect(FakeWebSocket.instances).toHaveLength(1);
    controller.identify(IDENTITY);
    await waitFor(() => expect(sessionCalls()).toHaveLength(2));
    const second = sessionCalls()[1].json as { visitor_token: string; identity: { hmac: string } };
    expect(second.visitor_token).toBe('vt_anon');
    expect(second.identity.hmac).toBe(IDENTITY.hmac);
    await waitFor(() => expect(FakeWebSocket.last.url).toContain('token=vt_known'));
    expect(localStorage.getItem('yingke:ck:token')).toBe('vt_known');
  });

  it('continues anonymously when the server refuses the identity', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { controller, sessionCalls } = harness({
      routes: [
        {
          method: 'POST',
          path: '/api/v1/widget/ck/sessions',
          respond: ({ json }) =>
            (json as { identity?: unknown }).identity
              ? { status: 422, body: { error: { code: 'identity_invalid', message: 'bad hmac', details: [] } } }
              : { status: 200, body: { visitor_token: 'vt_2', contact: { id: 2, name: null }, conversation: null } },
        },
      ],
    });
    controller.identify(IDENTITY);
    await controller.start();
    expect(sessionCalls()).toHaveLength(2);
    expect((sessionCalls()[0].json as { identity?: unknown }).identity).toBeDefined();
    expect((sessionCalls()[1].json as { identity?: unknown }).identity).toBeUndefined();
    expect(controller.getState().phase).toBe('ready');
    expect(warn).toHaveBeenCalled();
  });

  it('window.Yingke replays identify calls queued before load', async () => {
    const { controller, sessionCalls } = harness();
    const target = window as Window & { Yingke?: unknown };
    const stub = Object.assign(() => undefined, { q: [['identify', IDENTITY], ['open']] });
    target.Yingke = stub;
    const api = installPublicApi(target, controller);
    expect(target.Yingke).toBe(api);
    await controller.start();
    expect((sessionCalls()[0].json as { identity: { user_id: string } }).identity.user_id).toBe('42');
    expect(controller.getState().open).toBe(true);
    api.close();
    expect(controller.getState().open).toBe(false);
    api('open');
    expect(controller.getState().open).toBe(true);
    delete target.Yingke;
  });
});

describe('conversation', () => {
  it('renders messages once, in seq order, and settles own messages from sending to sent', async () => {
    const { controller, ws } = harness({
      session: { visitor_token: 'vt', contact: { id: 1, name: null }, conversation: conversation({ id: 5 }) },
    });
    await controller.start();
    expect(ws().sent).toEqual([]);
    ws().serverOpen();
    expect(ws().sent[0]).toEqual({ type: 'hello', last_seq: { '5': 0 } });
    ws().serverSend({ type: 'welcome', who: { kind: 'visitor', id: 1 } });
    ws().serverSend({ type: 'message', message: msg({ conversation_id: 5, seq: 2 }) });
    ws().serverSend({ type: 'message', message: msg({ conversation_id: 5, seq: 1 }) });
    ws().serverSend({ type: 'message', message: msg({ conversation_id: 5, seq: 2 }) });
    expect(controller.getState().messages.map((m) => m.seq)).toEqual([1, 2]);

    controller.sendText('  你好  ');
    const send = ws().framesOf('send')[0];
    expect(send).toEqual({ type: 'send', client_id: expect.stringMatching(/^[0-9a-f-]{36}$/), text: '你好' });
    expect(controller.getState().pending[0]).toMatchObject({ text: '你好', status: 'sending' });
    ws().serverSend({ type: 'ack', client_id: send.client_id, message_id: 50, conversation_id: 5, seq: 3 });
    expect(controller.getState().pending[0].status).toBe('sent');
    ws().serverSend({
      type: 'message',
      message: msg({ conversation_id: 5, seq: 3, text: '你好', client_id: send.client_id as string, sender: { kind: 'contact', id: 1, name: null } }),
    });
    expect(controller.getState().pending).toEqual([]);
    expect(controller.getState().messages.map((m) => m.seq)).toEqual([1, 2, 3]);
    // Persisted for the next page load.
    expect(JSON.parse(localStorage.getItem('yingke:ck:seq')!)).toEqual({ '5': 3 });
  });

  it('shows a gentle notice on rate_limited and marks the message failed', async () => {
    const { controller, ws } = harness();
    await controller.start();
    ws().handshake();
    controller.sendText('1');
    const { client_id } = ws().framesOf('send')[0];
    ws().serverSend({ type: 'error', code: 'rate_limited', message: 'slow down', client_id });
    expect(controller.getState().notice).toBe('rate_limited');
    expect(controller.getState().pending[0]).toMatchObject({ status: 'failed', error: 'rate_limited' });
    controller.retry(client_id as string);
    expect(ws().framesOf('send')).toHaveLength(2);
    expect(ws().framesOf('send')[1].client_id).toBe(client_id);
  });

  it('shows the agent typing with the name from earlier messages', async () => {
    const { controller, ws } = harness({ session: { visitor_token: 'vt', contact: { id: 1, name: null }, conversation: conversation() } });
    await controller.start();
    ws().handshake();
    ws().serverSend({ type: 'message', message: msg({ conversation_id: 5, seq: 1, sender: { kind: 'agent', id: 7, name: '小王' } }) });
    ws().serverSend({ type: 'typing', conversation_id: 5, from: { kind: 'agent', id: 7 }, on: true });
    expect(controller.getState().typing).toEqual({ name: '小王' });
    ws().serverSend({ type: 'typing', conversation_id: 5, from: { kind: 'agent', id: 7 }, on: false });
    expect(controller.getState().typing).toBeNull();
    // Our own typing echo is ignored.
    ws().serverSend({ type: 'typing', conversation_id: 5, from: { kind: 'contact', id: 1 }, on: true });
    expect(controller.getState().typing).toBeNull();
  });

  it('sends typing debounced', async () => {
    const { controller, ws } = harness();
    await controller.start();
    ws().handshake();
    controller.userTyping();
    controller.userTyping();
    controller.userTyping();
    expect(ws().framesOf('typing')).toEqual([{ type: 'typing', on: true }]);
    controller.stopTyping();
    expect(ws().framesOf('typing')).toEqual([{ type: 'typing', on: true }, { type: 'typing', on: false }]);
  });

  it('counts unread while closed and sends read with the highest seq when visible', async () => {
    const { controller, ws } = harness({ session: { visitor_token: 'vt', contact: { id: 1, name: null }, conversation: conversation() } });
    await controller.start();
    ws().handshake();
    for (const seq of [1, 2, 3]) ws().serverSend({ type: 'message', message: msg({ conversation_id: 5, seq }) });
    expect(controller.getState().unread).toBe(3);
    expect(ws().framesOf('read')).toEqual([]);
    controller.open();
    controller.setVisible(true);
    expect(ws().framesOf('read')).toEqual([{ type: 'read', conversation_id: 5, seq: 3 }]);
    expect(controller.getState().unread).toBe(0);
    ws().serverSend({ type: 'message', message: msg({ conversation_id: 5, seq: 4 }) });
    expect(ws().framesOf('read')).toEqual([
      { type: 'read', conversation_id: 5, seq: 3 },
      { type: 'read', conversation_id: 5, seq: 4 },
    ]);
  });

  it('refills missing messages over REST when live delivery skipped one', async () => {
    const { controller, ws, calls } = harness({
      session: { visitor_token: 'vt', contact: { id: 1, name: null }, conversation: conversation() },
      routes: [
        {
          method: 'GET',
          path: '/api/v1/widget/messages?after_seq=1',
          body: { items: [msg({ conversation_id: 5, seq: 2 }), msg({ conversation_id: 5, seq: 3 })], conversation: conversation() },
        },
      ],
    });
    await controller.start();
    ws().handshake();
    ws().serverSend({ type: 'message', message: msg({ conversation_id: 5, seq: 1 }) });
    ws().serverSend({ type: 'message', message: msg({ conversation_id: 5, seq: 3 }) });
    await waitFor(() => expect(controller.getState().messages.map((m) => m.seq)).toEqual([1, 2, 3]));
    const refill = calls.find((c) => c.url.includes('/messages?after_seq=1'))!;
    expect(refill.headers.Authorization).toBe('Visitor vt');
  });
});

describe('pre-chat form', () => {
  const config = {
    ...CONFIG,
    pre_chat_form: [
      { name: 'name', label: '姓名', kind: 'text' as const, required: true },
      { name: 'email', label: '邮箱', kind: 'email' as const, required: false },
    ],
  };

  it('is needed without a conversation and posts the values with the session', async () => {
    const { controller, sessionCalls } = harness({ config });
    await controller.start();
    expect(controller.getState().needsForm).toBe(true);
    const errors = await controller.submitForm({ name: ' 韩梅梅 ', email: '' });
    expect(errors).toBeNull();
    expect((sessionCalls()[1].json as { form: unknown; visitor_token: string }).form).toEqual({ name: '韩梅梅' });
    expect((sessionCalls()[1].json as { visitor_token: string }).visitor_token).toBe('vt_1');
    expect(controller.getState().needsForm).toBe(false);
    expect(localStorage.getItem('yingke:ck:form')).toBe('1');
  });

  it('is skipped when a conversation exists', async () => {
    const { controller } = harness({ config, session: { visitor_token: 'vt', contact: { id: 1, name: null }, conversation: conversation() } });
    await controller.start();
    expect(controller.getState().needsForm).toBe(false);
  });

  it('maps server field errors back to the fields', async () => {
    const { controller } = harness({
      config,
      routes: [
        {
          method: 'POST',
          path: '/api/v1/widget/ck/sessions',
          respond: ({ json }) =>
            (json as { form?: unknown }).form
              ? {
                  status: 422,
                  body: { error: { code: 'validation_failed', message: 'invalid', details: [{ field: 'form.email', message: '邮箱已被占用' }] } },
                }
              : { status: 200, body: { visitor_token: 'vt', contact: { id: 1, name: null }, conversation: null } },
        },
      ],
    });
    await controller.start();
    expect(await controller.submitForm({ name: 'x', email: 'a@b.cn' })).toEqual({ email: '邮箱已被占用' });
    expect(controller.getState().needsForm).toBe(true);
  });
});

describe('attachments', () => {
  it('refuses non-images and images over 10 MB before uploading', async () => {
    const { controller, calls } = harness();
    await controller.start();
    expect(controller.sendFile(new File(['x'], 'a.pdf', { type: 'application/pdf' }))).toBe('image_only');
    const big = new File(['x'], 'big.png', { type: 'image/png' });
    Object.defineProperty(big, 'size', { value: 10 * 1024 * 1024 + 1 });
    expect(controller.sendFile(big)).toBe('image_too_large');
    expect(calls.some((c) => c.url.includes('attachments'))).toBe(false);
  });

  it('uploads the image as multipart "file" then sends its attachment_id', async () => {
    const { controller, calls, ws } = harness({
      routes: [
        {
          method: 'POST',
          path: '/api/v1/widget/attachments',
          body: { id: 88, url: '/api/v1/attachments/88/photo.png', mime: 'image/png', size: 3, name: 'photo.png' },
        },
      ],
    });
    await controller.start();
    ws().handshake();
    expect(controller.sendFile(new File(['png'], 'photo.png', { type: 'image/png' }))).toBeNull();
    await waitFor(() => expect(ws().framesOf('send')).toHaveLength(1));
    const upload = calls.find((c) => c.url.endsWith('/api/v1/widget/attachments'))!;
    expect(upload.headers.Authorization).toBe('Visitor vt_1');
    expect((upload.body as FormData).get('file')).toBeInstanceOf(File);
    const frame = ws().framesOf('send')[0];
    expect(frame).toEqual({ type: 'send', client_id: expect.any(String), attachment_id: 88 });
    expect(controller.getState().pending[0].attachment?.url).toBe('https://kf.example.com/api/v1/attachments/88/photo.png');
  });
});

describe('CSAT', () => {
  it('prompts for a resolved conversation and posts the score once', async () => {
    const { controller, calls } = harness({
      session: { visitor_token: 'vt', contact: { id: 1, name: null }, conversation: conversation({ status: 'resolved' }) },
      routes: [{ method: 'POST', path: '/api/v1/widget/csat', status: 204 }],
    });
    await controller.start();
    expect(controller.getState().csat).toBe('prompt');
    expect(await controller.submitCsat(4, '  很快就解决了 ')).toBe(true);
    expect(calls.find((c) => c.url.endsWith('/csat'))!.json).toEqual({ score: 4, comment: '很快就解决了' });
    expect(controller.getState().csat).toBe('done');
    expect(JSON.parse(localStorage.getItem('yingke:ck:csat')!)).toEqual([5]);
  });

  it('learns about the resolution from a system message', async () => {
    let status = 'open';
    const { controller, ws } = harness({
      session: { visitor_token: 'vt', contact: { id: 1, name: null }, conversation: conversation() },
      routes: [{ method: 'GET', path: /^\/api\/v1\/widget\/messages/, body: () => ({ items: [], conversation: conversation({ status: status as 'resolved' }) }) }],
    });
    await controller.start();
    ws().handshake();
    status = 'resolved';
    ws().serverSend({ type: 'message', message: msg({ conversation_id: 5, seq: 1, kind: 'event', sender: { kind: 'system', id: null, name: null }, text: '会话已结束' }) });
    await waitFor(() => expect(controller.getState().csat).toBe('prompt'));
  });
});

describe('conversation frames', () => {
  it('update status, the agents read mark and the CSAT prompt', async () => {
    const { controller, ws } = harness({ session: { visitor_token: 'vt', contact: { id: 1, name: null }, conversation: conversation() } });
    await controller.start();
    ws().handshake();
    ws().serverSend({ type: 'conversation', event: 'updated', conversation: conversation({ agent_read_seq: 4 }) });
    expect(controller.getState().agentRead).toEqual({ '5': 4 });
    ws().serverSend({ type: 'conversation', event: 'resolved', conversation: conversation({ status: 'resolved', agent_read_seq: 4, csat_score: null }) });
    expect(controller.getState().csat).toBe('prompt');
    // Rated on another device: no prompt.
    ws().serverSend({ type: 'conversation', event: 'updated', conversation: conversation({ status: 'resolved', csat_score: 5 }) });
    expect(controller.getState().csat).toBe('none');
    ws().serverSend({ type: 'conversation', event: 'reopened', conversation: conversation({ status: 'open' }) });
    expect(controller.getState().conversation?.status).toBe('open');
  });

  it('re-posts the session and reconnects after an unauthenticated error', async () => {
    const { controller, sessionCalls } = harness();
    await controller.start();
    const first = FakeWebSocket.last;
    first.handshake();
    first.serverSend({ type: 'error', code: 'unauthenticated', message: 'expired' });
    await waitFor(() => expect(sessionCalls()).toHaveLength(2));
    await waitFor(() => expect(FakeWebSocket.instances).toHaveLength(2));
    expect(FakeWebSocket.last).not.toBe(first);
  });

  it('re-checks the session when the socket keeps failing before any welcome', async () => {
    let n = 0;
    const { controller, sessionCalls } = harness({
      session: () => ({ visitor_token: n++ === 0 ? 'vt_expired' : 'vt_fresh', contact: { id: 1, name: null }, conversation: null }),
    });
    await controller.start();
    vi.useFakeTimers();
    try {
      for (let i = 0; i < 3; i++) {
        FakeWebSocket.last.serverClose();
        vi.advanceTimersByTime(30_000);
      }
    } finally {
      vi.useRealTimers();
    }
    await waitFor(() => expect(sessionCalls()).toHaveLength(2));
    expect((sessionCalls()[1].json as { visitor_token: string }).visitor_token).toBe('vt_expired');
    await waitFor(() => expect(FakeWebSocket.last.url).toContain('token=vt_fresh'));
  });
});

describe('page views', () => {
  it('reports the page on load and on history navigation', async () => {
    const { controller, calls } = harness({ controller: { trackPages: true } });
    await controller.start();
    const views = () => calls.filter((c) => c.url.endsWith('/api/v1/widget/page-views'));
    expect(views()).toHaveLength(1);
    expect(views()[0].json).toMatchObject({ url: location.href, title: '商品详情' });
    expect(views()[0].headers.Authorization).toBe('Visitor vt_1');
    history.pushState(null, '', '/cart');
    await waitFor(() => expect(views()).toHaveLength(2));
    expect((views()[1].json as { url: string }).url).toBe('http://localhost:3000/cart');
    controller.destroy();
  });
});

describe('visitor change', () => {
  it('wipes cached messages when the session belongs to another contact', async () => {
    localStorage.setItem('yingke:ck:contact', '99');
    localStorage.setItem('yingke:ck:messages', JSON.stringify([msg({ conversation_id: 1, seq: 1, text: 'secret' })]));
    localStorage.setItem('yingke:ck:seq', JSON.stringify({ '1': 1 }));
    const { controller } = harness();
    expect(controller.getState().messages).toHaveLength(1);
    await controller.start();
    expect(controller.getState().messages).toHaveLength(0);
    expect(localStorage.getItem('yingke:ck:messages')).toBeNull();
    FakeWebSocket.last.serverOpen();
    expect(FakeWebSocket.last.sent[0]).toEqual({ type: 'hello', last_seq: {} });
  });
});

describe('queue', () => {
  const waiting = (partial: Parameters<typeof conversation>[0] = {}) => ({
    visitor_token: 'vt',
    contact: { id: 1, name: null },
    conversation: conversation({ id: 12, status: 'pending', ...partial }),
  });
  const queue = (position: number, estimated_wait_secs: number | null, conversation_id = 12) => ({
    type: 'queue',
    conversation_id,
    position,
    estimated_wait_secs,
  });
  const stored = () => JSON.parse(localStorage.getItem('yingke:ck:queue') ?? 'null') as unknown;

  it('keeps the latest place of the current conversation, with or without an estimate', async () => {
    const { controller, ws } = harness({ session: waiting() });
    await controller.start();
    ws().handshake();
    expect(controller.getState().queue).toBeNull();
    ws().serverSend(queue(3, 120));
    expect(controller.getState().queue).toMatchObject({ conversation_id: 12, position: 3, estimated_wait_secs: 120 });
    ws().serverSend(queue(2, null));
    expect(controller.getState().queue).toMatchObject({ conversation_id: 12, position: 2, estimated_wait_secs: null });
    ws().serverSend(queue(1, 30));
    expect(controller.getState().queue).toMatchObject({ position: 1, estimated_wait_secs: 30 });
    expect(stored()).toMatchObject({ conversation_id: 12, position: 1 });
  });

  it('ignores the place of another conversation and malformed frames', async () => {
    const { controller, ws } = harness({ session: waiting() });
    await controller.start();
    ws().handshake();
    ws().serverSend(queue(4, 60, 11));
    expect(controller.getState().queue).toBeNull();
    ws().serverSend(queue(2, 60));
    ws().serverSend(queue(1, null, 11));
    ws().serverSend(queue(0, null));
    ws().serverSend({ type: 'queue', conversation_id: 12, position: '1', estimated_wait_secs: null });
    ws().serverSend({ type: 'queue', position: 1 });
    expect(controller.getState().queue).toMatchObject({ conversation_id: 12, position: 2, estimated_wait_secs: 60 });
    expect(stored()).toMatchObject({ conversation_id: 12, position: 2 });
    // Still conversation 12's place after the next view of it.
    ws().serverSend({ type: 'conversation', event: 'updated', conversation: conversation({ id: 12, status: 'pending' }) });
    expect(controller.getState().queue).toMatchObject({ conversation_id: 12, position: 2 });
    expect(parseQueue({ conversation_id: 12, position: 2, estimated_wait_secs: -5 })?.estimated_wait_secs).toBeNull();
  });

  it('stays while the conversation waits and clears when an agent takes it', async () => {
    const { controller, ws } = harness({ session: waiting() });
    await controller.start();
    ws().handshake();
    ws().serverSend(queue(2, null));
    // Queueing and overflow arrive as `assigned` too, still pending.
    ws().serverSend({ type: 'conversation', event: 'assigned', conversation: conversation({ id: 12, status: 'pending' }) });
    expect(controller.getState().queue).toMatchObject({ position: 2 });
    // Another conversation's frame is ignored.
    ws().serverSend({ type: 'conversation', event: 'assigned', conversation: conversation({ id: 11, status: 'open' }) });
    expect(controller.getState().queue).toMatchObject({ position: 2 });
    ws().serverSend({ type: 'conversation', event: 'assigned', conversation: conversation({ id: 12, number: 3, status: 'open' }) });
    expect(controller.getState().queue).toBeNull();
    expect(stored()).toBeNull();
  });

  it.each(['resolved', 'closed'] as const)('clears when the conversation is %s', async (status) => {
    const { controller, ws } = harness({ session: waiting() });
    await controller.start();
    ws().handshake();
    ws().serverSend(queue(1, null));
    ws().serverSend({ type: 'conversation', event: status === 'resolved' ? 'resolved' : 'updated', conversation: conversation({ id: 12, status }) });
    expect(controller.getState().queue).toBeNull();
  });

  it('clears on a new agent message, not on bot, system or replayed ones', async () => {
    const { controller, ws } = harness({ session: waiting({ last_seq: 2 }) });
    await controller.start();
    ws().handshake();
    ws().serverSend(queue(3, 300));
    // History from before the conversation was queued again (a replay after reconnect).
    ws().serverSend({ type: 'message', message: msg({ conversation_id: 12, seq: 2, sender: { kind: 'agent', id: 7, name: '小王' } }) });
    ws().serverSend({ type: 'message', message: msg({ conversation_id: 12, seq: 3, sender: { kind: 'bot', id: 2, name: '小迎' } }) });
    ws().serverSend({
      type: 'message',
      message: msg({ conversation_id: 12, seq: 4, kind: 'event', text: '当前非工作时间', sender: { kind: 'system', id: null, name: null } }),
    });
    ws().serverSend({ type: 'message', message: msg({ conversation_id: 12, seq: 5, sender: { kind: 'contact', id: 1, name: null } }) });
    expect(controller.getState().queue).toMatchObject({ position: 3 });
    ws().serverSend({ type: 'message', message: msg({ conversation_id: 12, seq: 6, sender: { kind: 'agent', id: 7, name: '小王' } }) });
    expect(controller.getState().queue).toBeNull();
    expect(stored()).toBeNull();
  });

  it('shows the place of a conversation the visitor just opened once it is known', async () => {
    let current: ReturnType<typeof conversation> | null = null;
    const { controller, ws } = harness({
      routes: [{ method: 'GET', path: /^\/api\/v1\/widget\/messages/, body: () => ({ items: [], conversation: current }) }],
    });
    await controller.start();
    ws().handshake();
    controller.sendText('你好');
    const { client_id } = ws().framesOf('send')[0];
    current = conversation({ id: 12, status: 'pending', last_seq: 1 });
    ws().serverSend({ type: 'ack', client_id, message_id: 1, conversation_id: 12, seq: 1 });
    // Routed right after the commit: the frame comes before the widget knows conversation 12.
    ws().serverSend(queue(2, 90));
    await waitFor(() => expect(controller.getState().conversation?.id).toBe(12));
    expect(controller.getState().queue).toMatchObject({ conversation_id: 12, position: 2, estimated_wait_secs: 90 });
  });

  it('comes back after a page load while the conversation still waits', async () => {
    localStorage.setItem('yingke:ck:contact', '1');
    localStorage.setItem('yingke:ck:queue', JSON.stringify({ conversation_id: 12, position: 2, estimated_wait_secs: null, seq: 1 }));
    const { controller } = harness({ session: waiting() });
    await controller.start();
    expect(controller.getState().queue).toMatchObject({ conversation_id: 12, position: 2 });
  });

  it('is forgotten after a page load when the conversation was taken meanwhile', async () => {
    localStorage.setItem('yingke:ck:contact', '1');
    localStorage.setItem('yingke:ck:queue', JSON.stringify({ conversation_id: 12, position: 2, estimated_wait_secs: null, seq: 1 }));
    const { controller } = harness({ session: waiting({ status: 'open' }) });
    await controller.start();
    expect(controller.getState().queue).toBeNull();
    expect(stored()).toBeNull();
  });
});
