import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { beforeEach, describe, expect, it } from 'vitest';
import { translator } from '../src/i18n';
import { mountWidget } from '../src/mount';
import { queueText } from '../src/ui/format';
import { Widget } from '../src/ui/Widget';
import { FakeWebSocket, flush, msg, routedFetch } from './fakes';
import { BASE, CONFIG, conversation, harness, type HarnessOptions } from './harness';

beforeEach(() => {
  history.replaceState(null, '', '/');
});

async function renderChat(o: HarnessOptions & { mode?: 'embed' | 'h5' } = {}) {
  const h = harness({
    session: { visitor_token: 'vt', contact: { id: 1, name: null }, conversation: conversation() },
    ...o,
    controller: { mode: o.mode ?? 'h5', ...o.controller },
  });
  const view = render(<Widget controller={h.controller} mode={o.mode ?? 'h5'} />);
  await act(async () => {
    await h.controller.start();
  });
  act(() => h.ws().handshake());
  const push = (m: Parameters<typeof msg>[0]) => act(() => h.ws().serverSend({ type: 'message', message: msg(m) }));
  return { ...h, view, push };
}

describe('message rendering', () => {
  it('shows hostile message text literally, never as HTML', async () => {
    const { view, push } = await renderChat();
    const evil = '<img src=x onerror=alert(1)>';
    push({ conversation_id: 5, seq: 1, text: evil });
    push({ conversation_id: 5, seq: 2, text: '<script>alert(2)</script><b>bold</b>', sender: { kind: 'agent', id: 8, name: '<i>小王</i>' } });
    expect(screen.getByText(evil)).toBeInTheDocument();
    expect(screen.getByText('<script>alert(2)</script><b>bold</b>')).toBeInTheDocument();
    expect(screen.getByText('<i>小王</i>')).toBeInTheDocument();
    expect(view.container.querySelector('img[src="x"]')).toBeNull();
    expect(view.container.querySelector('script, b, i')).toBeNull();
  });

  it('auto-links only http(s) URLs, opening safely in a new tab', async () => {
    const { view, push } = await renderChat();
    push({ conversation_id: 5, seq: 1, text: '订单详情 https://shop.example.com/o/1 或 javascript:alert(1)' });
    const links = view.container.querySelectorAll('.yk-bubble a');
    expect(links).toHaveLength(1);
    expect(links[0].getAttribute('href')).toBe('https://shop.example.com/o/1');
    expect(links[0].getAttribute('rel')).toBe('noopener noreferrer');
    expect(links[0].getAttribute('target')).toBe('_blank');
  });

  it('shows sender names, bots, centered system messages, images inline and files as links', async () => {
    const { view, push } = await renderChat();
    push({ conversation_id: 5, seq: 1, text: '您好，我是智能助手', sender: { kind: 'bot', id: 2, name: '小迎' } });
    push({ conversation_id: 5, seq: 2, kind: 'event', text: '将为您转接到专业客服', sender: { kind: 'system', id: null, name: null } });
    push({ conversation_id: 5, seq: 3, text: '我来帮您看看', sender: { kind: 'agent', id: 7, name: '小王' } });
    push({
      conversation_id: 5,
      seq: 4,
      kind: 'attachment',
      text: null,
      attachment: { id: 1, url: '/api/v1/attachments/1/a.png', mime: 'image/png', size: 2048, name: 'a.png' },
    });
    push({
      conversation_id: 5,
      seq: 5,
      kind: 'attachment',
      text: null,
      attachment: { id: 2, url: 'javascript:alert(1)', mime: 'application/pdf', size: 4096, name: 'invoice.pdf' },
    });
    expect(screen.getByText('小迎 · 机器人')).toBeInTheDocument();
    expect(screen.getByText('小王')).toBeInTheDocument();
    const system = screen.getByText('将为您转接到专业客服');
    expect(system.closest('.yk-system')).not.toBeNull();
    const img = view.container.querySelector('.yk-image img') as HTMLImageElement;
    expect(img.getAttribute('src')).toBe('https://kf.example.com/api/v1/attachments/1/a.png');
    const file = screen.getByText('invoice.pdf').closest('.yk-file')!;
    expect(file.tagName).toBe('SPAN'); // an unsafe URL is not linked
    expect(screen.getByText('4 KB')).toBeInTheDocument();
  });

  it('shows the greeting, sending state and typing indicator', async () => {
    const { controller, push, ws } = await renderChat();
    expect(screen.getByText(CONFIG.channel.greeting!)).toBeInTheDocument();
    const input = screen.getByLabelText('消息内容') as HTMLTextAreaElement;
    fireEvent.input(input, { target: { value: '在吗？' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(screen.getByText('在吗？')).toBeInTheDocument();
    expect(screen.getByText('发送中…')).toBeInTheDocument();
    expect(input.value).toBe('');
    const { client_id } = ws().framesOf('send')[0];
    act(() => ws().serverSend({ type: 'ack', client_id, message_id: 1, conversation_id: 5, seq: 1 }));
    expect(screen.queryByText('发送中…')).toBeNull();
    push({ conversation_id: 5, seq: 2, text: 'x', sender: { kind: 'agent', id: 7, name: '小王' } });
    act(() => ws().serverSend({ type: 'typing', conversation_id: 5, from: { kind: 'agent', id: 7 }, on: true }));
    expect(screen.getAllByLabelText('小王 正在输入…').length).toBeGreaterThan(0);
    expect(controller.getState().typing).not.toBeNull();
  });

  it('does not send while an IME is composing', async () => {
    const { ws } = await renderChat();
    const input = screen.getByLabelText('消息内容');
    fireEvent.input(input, { target: { value: 'ni' } });
    fireEvent.keyDown(input, { key: 'Enter', isComposing: true });
    fireEvent.keyDown(input, { key: 'Enter', keyCode: 229 });
    expect(ws().framesOf('send')).toHaveLength(0);
  });

  it('shows the rate-limit notice', async () => {
    const { ws } = await renderChat();
    act(() => ws().serverSend({ type: 'error', code: 'rate_limited', message: 'slow down' }));
    expect(screen.getByText('您发送得有点快，请稍等片刻再发。')).toBeInTheDocument();
  });

  it('renders in English when asked', async () => {
    await renderChat({ controller: { locale: 'en' } });
    expect(screen.getByLabelText('Message')).toBeInTheDocument();
    expect(screen.getByText('Online · We usually reply in a few minutes')).toBeInTheDocument();
  });
});

describe('queue banner', () => {
  const waiting = { visitor_token: 'vt', contact: { id: 1, name: null }, conversation: conversation({ status: 'pending' }) };
  const queue = (position: number, estimated_wait_secs: number | null) => ({ type: 'queue', conversation_id: 5, position, estimated_wait_secs });
  const banner = (container: Element) => container.querySelector('.yk-queue');

  it('shows the place above the composer as text, and goes when an agent takes the conversation', async () => {
    const { view, ws } = await renderChat({ session: waiting });
    expect(banner(view.container)).toBeNull();
    act(() => ws().serverSend(queue(3, 120)));
    const el = banner(view.container)!;
    expect(el).toHaveTextContent('您前面还有 2 位，预计等待约 2 分钟');
    expect(el).toHaveAttribute('role', 'status');
    expect(el.children).toHaveLength(0); // a text node, no markup
    expect(el.nextElementSibling).toHaveClass('yk-composer');
    act(() => ws().serverSend(queue(2, null)));
    expect(banner(view.container)).toHaveTextContent(/^您前面还有 1 位$/);
    act(() => ws().serverSend(queue(1, 45)));
    expect(banner(view.container)).toHaveTextContent(/^马上轮到您了，请稍候$/);
    act(() => ws().serverSend({ type: 'conversation', event: 'assigned', conversation: conversation({ number: 8, status: 'open' }) }));
    expect(banner(view.container)).toBeNull();
  });

  it('goes when an agent writes', async () => {
    const { view, ws, push } = await renderChat({ session: waiting });
    act(() => ws().serverSend(queue(2, null)));
    expect(banner(view.container)).not.toBeNull();
    push({ conversation_id: 5, seq: 1, text: '您好，我是小王', sender: { kind: 'agent', id: 7, name: '小王' } });
    expect(banner(view.container)).toBeNull();
  });

  it('speaks English', async () => {
    const { view, ws } = await renderChat({ session: waiting, controller: { locale: 'en' } });
    act(() => ws().serverSend(queue(4, 200)));
    expect(banner(view.container)).toHaveTextContent(/^3 people ahead of you, about 4 min$/);
    act(() => ws().serverSend(queue(1, null)));
    expect(banner(view.container)).toHaveTextContent(/^You're next — an agent will be with you shortly$/);
  });

  it('rounds the wait up to whole minutes, at least one', () => {
    const zh = translator('zh-CN');
    const en = translator('en');
    expect(queueText({ position: 2, estimated_wait_secs: 0 }, zh)).toBe('您前面还有 1 位，预计等待约 1 分钟');
    expect(queueText({ position: 5, estimated_wait_secs: 61 }, zh)).toBe('您前面还有 4 位，预计等待约 2 分钟');
    expect(queueText({ position: 5, estimated_wait_secs: 180 }, zh)).toBe('您前面还有 4 位，预计等待约 3 分钟');
    expect(queueText({ position: 1, estimated_wait_secs: 600 }, zh)).toBe('马上轮到您了，请稍候');
    expect(queueText({ position: 2, estimated_wait_secs: 1 }, en)).toBe('1 person ahead of you, about 1 min');
    expect(queueText({ position: 3, estimated_wait_secs: null }, en)).toBe('2 people ahead of you');
  });
});

describe('pre-chat form', () => {
  const config = {
    ...CONFIG,
    pre_chat_form: [
      { name: 'name', label: '姓名', kind: 'text' as const, required: true },
      { name: 'email', label: '邮箱', kind: 'email' as const, required: true },
      { name: 'phone', label: '手机', kind: 'phone' as const, required: false },
      { name: 'topic', label: '问题类型', kind: 'select' as const, required: true, options: ['订单', '售后'] },
      { name: 'detail', label: '问题描述', kind: 'textarea' as const, required: false },
    ],
  };

  it('validates before posting and sends the values with the session', async () => {
    const { sessionCalls } = await renderChat({
      config,
      session: { visitor_token: 'vt', contact: { id: 1, name: null }, conversation: null },
    });
    expect(screen.getByText('开始对话前，请留下您的信息')).toBeInTheDocument();
    expect(screen.queryByLabelText('消息内容')).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: '开始对话' }));
    expect(screen.getAllByText('此项为必填项')).toHaveLength(3);
    expect(sessionCalls()).toHaveLength(1);

    fireEvent.input(screen.getByLabelText(/姓名/), { target: { value: '韩梅梅' } });
    fireEvent.input(screen.getByLabelText(/邮箱/), { target: { value: 'not-an-email' } });
    fireEvent.input(screen.getByLabelText(/手机/), { target: { value: 'abc' } });
    fireEvent.change(screen.getByLabelText(/问题类型/), { target: { value: '售后' } });
    fireEvent.click(screen.getByRole('button', { name: '开始对话' }));
    expect(screen.getByText('请输入有效的邮箱地址')).toBeInTheDocument();
    expect(screen.getByText('请输入有效的电话号码')).toBeInTheDocument();
    expect(sessionCalls()).toHaveLength(1);

    fireEvent.input(screen.getByLabelText(/邮箱/), { target: { value: 'hmm@example.cn' } });
    fireEvent.input(screen.getByLabelText(/手机/), { target: { value: '' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: '开始对话' }));
      await flush();
    });
    await waitFor(() => expect(sessionCalls()).toHaveLength(2));
    expect((sessionCalls()[1].json as { form: unknown }).form).toEqual({ name: '韩梅梅', email: 'hmm@example.cn', topic: '售后' });
    await waitFor(() => expect(screen.getByLabelText('消息内容')).toBeInTheDocument());
  });
});

describe('CSAT', () => {
  it('rates 1–5 stars with an optional comment', async () => {
    const { calls } = await renderChat({
      session: { visitor_token: 'vt', contact: { id: 1, name: null }, conversation: conversation({ status: 'resolved' }) },
      routes: [{ method: 'POST', path: '/api/v1/widget/csat', status: 204 }],
    });
    expect(screen.getByText('本次服务已结束，请为我们打分')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('radio', { name: '4 星' }));
    fireEvent.input(screen.getByLabelText('还有什么想告诉我们的？（选填）'), { target: { value: '不错' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: '提交评价' }));
      await flush();
    });
    await waitFor(() => expect(screen.getByText('感谢您的评价！')).toBeInTheDocument());
    expect(calls.find((c) => c.url.endsWith('/csat'))!.json).toEqual({ score: 4, comment: '不错' });
  });
});

describe('embed', () => {
  it('shows a launcher with an unread badge that opens the panel', async () => {
    const { ws } = await renderChat({ mode: 'embed' });
    expect(screen.queryByRole('dialog')).toBeNull();
    act(() => ws().serverSend({ type: 'message', message: msg({ conversation_id: 5, seq: 1, text: '有新优惠' }) }));
    act(() => ws().serverSend({ type: 'message', message: msg({ conversation_id: 5, seq: 2, text: '欢迎咨询' }) }));
    const launcher = screen.getByRole('button', { name: /打开在线客服/ });
    expect(within(launcher).getByText('2')).toBeInTheDocument();
    fireEvent.click(launcher);
    expect(screen.getByRole('dialog')).toBeInTheDocument();
    expect(screen.getByText('有新优惠')).toBeInTheDocument();
    expect(ws().framesOf('read')).toEqual([{ type: 'read', conversation_id: 5, seq: 2 }]);
    expect(screen.getByRole('button', { name: '关闭在线客服' })).toBeInTheDocument();
    fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('mounts inside a shadow root with its own styles', async () => {
    FakeWebSocket.reset();
    const { fetch } = routedFetch([
      { method: 'GET', path: '/api/v1/widget/ck/config', body: CONFIG },
      { method: 'POST', path: '/api/v1/widget/ck/sessions', body: { visitor_token: 'vt', contact: { id: 1, name: null }, conversation: null } },
    ]);
    const mounted = mountWidget({ base: BASE, channelKey: 'ck', mode: 'embed', fetchImpl: fetch, WebSocketImpl: FakeWebSocket });
    await act(async () => {
      await mounted.controller.start();
    });
    const host = document.querySelector('yingke-widget') as HTMLElement;
    expect(host).toBe(mounted.host);
    const root = host.shadowRoot!;
    expect(root.querySelector('style')!.textContent).toContain('.yk-launcher');
    expect(root.querySelector('.yk-launcher')).not.toBeNull();
    expect(document.querySelector('.yk-launcher')).toBeNull();
    expect(host.style.getPropertyPriority('z-index')).toBe('important');
    mounted.unmount();
    expect(document.querySelector('yingke-widget')).toBeNull();
  });
});
