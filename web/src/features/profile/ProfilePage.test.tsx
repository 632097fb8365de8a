import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { errorResponse, jsonResponse, renderApp } from '../../test/renderApp';
import { on, serve, sessionOf, user } from '../../test/fakeServer';
import { setLocale } from '../../i18n';
import { setCsrfToken } from '../../api/client';
import type { NoticePrefs } from '../../api/types';

const me = user();
const token = { id: 9, name: 'CRM sync', created_at: '2026-11-21T05:11:23.123Z', expires_at: null, last_used_at: null };

const KINDS = ['assigned', 'mention', 'ticket', 'todo_reminder', 'todo_digest', 'todo_prompt', 'automation'] as const satisfies readonly (keyof NoticePrefs)[];
type Prefs = NoticePrefs;
/** The server's defaults: in-app and push on, the e-mail digest off. */
const defaults = (): Prefs =>
  Object.fromEntries(KINDS.map((kind) => [kind, { in_app: true, push: true, email: false }])) as Prefs;
const PREFS_PATH = '/api/v1/me/notice-preferences';

/** What every profile page asks for besides the route under test. */
const pageRoutes = (prefs: Prefs = defaults()) => [
  on('GET', '/api/v1/me', () => jsonResponse(200, sessionOf(me))),
  on('GET', '/api/v1/me/tokens', () => jsonResponse(200, { items: [], next_cursor: null })),
  on('GET', PREFS_PATH, () => jsonResponse(200, prefs)),
];

const puts = (fetchMock: ReturnType<typeof serve>) =>
  fetchMock.mock.calls.map(([request]) => request).filter((request) => request.method === 'PUT');

const switchNamed = (name: string) => screen.getByRole('switch', { name });

beforeEach(async () => {
  localStorage.clear();
  await setLocale('zh-CN');
});

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

describe('ProfilePage', () => {
  it('shows a new token once, with a warning', async () => {
    let tokens: (typeof token)[] = [];
    const fetchMock = serve(
      on('GET', '/api/v1/me', () => jsonResponse(200, sessionOf(me))),
      on('GET', '/api/v1/me/tokens', () => jsonResponse(200, { items: tokens, next_cursor: null })),
      on('GET', PREFS_PATH, () => jsonResponse(200, defaults())),
      on('POST', '/api/v1/me/tokens', () => {
        tokens = [token];
        return jsonResponse(201, { ...token, token: 'yk_secret_value' });
      }),
    );
    renderApp('/profile');
    const typist = userEvent.setup({ delay: null });
    await screen.findByText('还没有访问令牌');
    await typist.click(screen.getByRole('button', { name: /生成令牌/ }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText('名称'), { target: { value: 'CRM sync' } });
    await typist.click(within(dialog).getByRole('button', { name: '生成令牌' }));

    expect(await screen.findByDisplayValue('yk_secret_value')).toBeInTheDocument();
    expect(screen.getByText('请立即复制并妥善保存此令牌，关闭后将无法再次查看。')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /复制/ })).toBeInTheDocument();
    const post = fetchMock.mock.calls.map(([request]) => request).find((request) => request.method === 'POST');
    expect(await post?.json()).toEqual({ name: 'CRM sync' });

    await typist.click(screen.getByRole('button', { name: '我已保存' }));
    expect(await screen.findByText('CRM sync')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByDisplayValue('yk_secret_value')).not.toBeInTheDocument());
  });

  it('shows a wrong current password on its field', async () => {
    serve(
      ...pageRoutes(),
      on('PATCH', '/api/v1/me', () =>
        errorResponse(422, 'validation_failed', {}, [{ field: 'current_password', message: 'is not your current password' }]),
      ),
    );
    renderApp('/profile');
    fireEvent.change(await screen.findByLabelText('当前密码'), { target: { value: 'nope-nope-nope' } });
    fireEvent.change(screen.getByLabelText('新密码'), { target: { value: 'new-password-123' } });
    fireEvent.change(screen.getByLabelText('确认新密码'), { target: { value: 'new-password-123' } });
    await userEvent.setup({ delay: null }).click(screen.getByRole('button', { name: '修改密码' }));
    expect(await screen.findByText('is not your current password')).toBeInTheDocument();
  });

  it('lists every kind of notice with the saved in-app, push and e-mail digest choices', async () => {
    const prefs = defaults();
    prefs.mention.push = false;
    prefs.mention.email = true;
    prefs.ticket.in_app = false;
    prefs.ticket.email = true;
    prefs.todo_prompt = { in_app: false, push: false, email: false };
    prefs.assigned.push = false;
    serve(...pageRoutes(prefs));
    renderApp('/profile');

    expect(await screen.findByText('通知偏好')).toBeInTheDocument();
    await waitFor(() => expect(screen.getAllByRole('switch')).toHaveLength(21));
    const names = ['转给我的会话', '@提及', '工单通知', '待办提醒', '今日待办清单', '创建待办提示', '自动化通知'];
    for (const [i, kind] of KINDS.entries()) {
      expect(screen.getByText(names[i])).toBeInTheDocument();
      expect(switchNamed(`${names[i]}：工作台`)).toHaveAttribute('aria-checked', String(prefs[kind].in_app));
      expect(switchNamed(`${names[i]}：推送`)).toHaveAttribute('aria-checked', String(prefs[kind].push));
      expect(switchNamed(`${names[i]}：邮件摘要`)).toHaveAttribute('aria-checked', String(prefs[kind].email));
    }
    // The third column, with its hint like the other two.
    expect(screen.getByRole('columnheader', { name: /邮件摘要/ })).toBeInTheDocument();
    expect(screen.getByLabelText('仍未读 15 分钟的通知汇总成一封邮件发给你（需要管理员配置邮件渠道）')).toBeInTheDocument();
    // The digest lists unread in-app notices: its switch waits for in-app, keeping the saved choice.
    expect(switchNamed('工单通知：邮件摘要')).toBeDisabled();
    expect(switchNamed('工单通知：邮件摘要')).toHaveAttribute('aria-checked', 'true');
    expect(switchNamed('创建待办提示：邮件摘要')).toBeDisabled();
    expect(switchNamed('@提及：邮件摘要')).not.toBeDisabled();
    expect(switchNamed('工单通知：推送')).not.toBeDisabled();
    // The rows come in this order, conversations handed to the agent first.
    expect(screen.getAllByRole('switch', { name: /：工作台$/ }).map((s) => s.getAttribute('aria-label'))).toEqual(
      names.map((name) => `${name}：工作台`),
    );
    expect(screen.getByText('同事把会话转交给你时提醒你，并附上转交备注')).toBeInTheDocument();
    expect(screen.getByText('同事在内部备注中 @ 你')).toBeInTheDocument();
    expect(screen.getByText('待办到时提醒你（轻提醒始终不推送）')).toBeInTheDocument();
    // In-app off: the page says those notices stay out of the bell.
    expect(screen.getByTestId('notice-pref-off-ticket')).toHaveTextContent('不会出现在通知铃铛中');
    expect(screen.getByTestId('notice-pref-off-todo_prompt')).toHaveTextContent('完全收不到这类通知');
    expect(screen.queryByTestId('notice-pref-off-mention')).not.toBeInTheDocument();
    // jsdom has no web push: the preference can still be set, and the page says so.
    expect(await screen.findByTestId('push-hint')).toHaveTextContent('这个浏览器不支持网页推送');
  });

  it('saves one switch at once with just that change and shows the answer', async () => {
    let release: () => void = () => {};
    const answered = new Promise<void>((resolve) => (release = resolve));
    const saved = defaults();
    saved.mention.push = false;
    const fetchMock = serve(...pageRoutes());
    const routed = fetchMock.getMockImplementation()!;
    fetchMock.mockImplementation(async (request: Request) => {
      if (request.method !== 'PUT' || new URL(request.url).pathname !== PREFS_PATH) return routed(request);
      await answered;
      return jsonResponse(200, saved);
    });
    setCsrfToken('tok');
    renderApp('/profile');
    const typist = userEvent.setup({ delay: null });
    await screen.findByText('@提及');

    await typist.click(switchNamed('@提及：推送'));
    // The switch moves before the server answers, and waits for it.
    expect(switchNamed('@提及：推送')).toHaveAttribute('aria-checked', 'false');
    await waitFor(() => expect(switchNamed('@提及：推送')).toHaveClass('ant-switch-loading'));
    release();

    expect(await screen.findByText('已关闭：@提及 · 推送')).toBeInTheDocument();
    expect(switchNamed('@提及：推送')).toHaveAttribute('aria-checked', 'false');
    expect(switchNamed('@提及：推送')).not.toHaveClass('ant-switch-loading');
    expect(switchNamed('@提及：工作台')).toHaveAttribute('aria-checked', 'true');
    const sent = puts(fetchMock);
    expect(sent).toHaveLength(1);
    expect(sent[0].headers.get('X-CSRF-Token')).toBe('tok');
    expect(await sent[0].json()).toEqual({ mention: { push: false } });
  });

  it('saves the e-mail digest switch with just that change', async () => {
    const saved = defaults();
    saved.mention.email = true;
    const fetchMock = serve(...pageRoutes(), on('PUT', PREFS_PATH, () => jsonResponse(200, saved)));
    renderApp('/profile');
    await screen.findByText('@提及');
    expect(switchNamed('@提及：邮件摘要')).toHaveAttribute('aria-checked', 'false');

    await userEvent.setup({ delay: null }).click(switchNamed('@提及：邮件摘要'));

    expect(await screen.findByText('已开启：@提及 · 邮件摘要')).toBeInTheDocument();
    expect(switchNamed('@提及：邮件摘要')).toHaveAttribute('aria-checked', 'true');
    expect(switchNamed('@提及：工作台')).toHaveAttribute('aria-checked', 'true');
    expect(switchNamed('@提及：推送')).toHaveAttribute('aria-checked', 'true');
    const sent = puts(fetchMock);
    expect(sent).toHaveLength(1);
    expect(await sent[0].json()).toEqual({ mention: { email: true } });
  });

  it('disables the e-mail digest switch while in-app is off, and says why', async () => {
    const saved = defaults();
    saved.automation.in_app = false;
    const fetchMock = serve(...pageRoutes(), on('PUT', PREFS_PATH, () => jsonResponse(200, saved)));
    renderApp('/profile');
    await screen.findByText('自动化通知');
    expect(switchNamed('自动化通知：邮件摘要')).not.toBeDisabled();
    const typist = userEvent.setup({ delay: null });

    await typist.click(switchNamed('自动化通知：工作台'));

    expect(await screen.findByText('已关闭：自动化通知 · 工作台')).toBeInTheDocument();
    expect(switchNamed('自动化通知：邮件摘要')).toBeDisabled();
    // A click on the disabled switch sends nothing.
    await typist.click(switchNamed('自动化通知：邮件摘要'));
    expect(switchNamed('自动化通知：邮件摘要')).toHaveAttribute('aria-checked', 'false');
    expect(puts(fetchMock)).toHaveLength(1);
    await typist.hover(switchNamed('自动化通知：邮件摘要').parentElement!);
    expect(await screen.findByText('需要先开启工作台：邮件摘要汇总的是你仍未读的工作台通知')).toBeInTheDocument();
  });

  it('lists conversations handed to the agent first in English, and saves their switch', async () => {
    await setLocale('en');
    const saved = defaults();
    saved.assigned.push = false;
    const fetchMock = serve(...pageRoutes(), on('PUT', PREFS_PATH, () => jsonResponse(200, saved)));
    renderApp('/profile');
    await screen.findByText('Conversations handed to me');
    expect(screen.getByText('A colleague transfers a conversation to you, with their transfer note')).toBeInTheDocument();
    expect(screen.getAllByRole('switch')[0]).toHaveAccessibleName('Conversations handed to me: In-app');
    expect(switchNamed('Conversations handed to me: E-mail digest')).toHaveAttribute('aria-checked', 'false');

    await userEvent.setup({ delay: null }).click(switchNamed('Conversations handed to me: Push'));

    expect(await screen.findByText('Turned off: Conversations handed to me · Push')).toBeInTheDocument();
    expect(switchNamed('Conversations handed to me: Push')).toHaveAttribute('aria-checked', 'false');
    expect(await puts(fetchMock)[0].json()).toEqual({ assigned: { push: false } });
  });

  it('follows the server when its answer differs from the change', async () => {
    // Another tab changed something meanwhile: the page shows the full answer.
    const saved = defaults();
    saved.automation.in_app = false;
    saved.todo_digest.push = false;
    const fetchMock = serve(...pageRoutes(), on('PUT', PREFS_PATH, () => jsonResponse(200, saved)));
    renderApp('/profile');
    await screen.findByText('自动化通知');

    await userEvent.setup({ delay: null }).click(switchNamed('自动化通知：工作台'));

    expect(await screen.findByText('已关闭：自动化通知 · 工作台')).toBeInTheDocument();
    expect(switchNamed('自动化通知：工作台')).toHaveAttribute('aria-checked', 'false');
    expect(switchNamed('今日待办清单：推送')).toHaveAttribute('aria-checked', 'false');
    expect(screen.getByTestId('notice-pref-off-automation')).toHaveTextContent('不会出现在通知铃铛中');
    expect(await puts(fetchMock)[0].json()).toEqual({ automation: { in_app: false } });
  });

  it.each([
    {
      status: 422,
      answer: () => errorResponse(422, 'validation_failed', {}, [{ field: 'ticket.in_app', message: 'must be a boolean' }]),
      shown: 'ticket.in_app: must be a boolean',
    },
    { status: 500, answer: () => errorResponse(500, 'internal'), shown: '未能保存“工单通知 · 工作台”' },
  ])('moves the switch back and says why when the server answers $status', async ({ answer, shown }) => {
    const fetchMock = serve(...pageRoutes(), on('PUT', PREFS_PATH, answer));
    renderApp('/profile');
    await screen.findByText('工单通知');

    await userEvent.setup({ delay: null }).click(switchNamed('工单通知：工作台'));

    expect(await screen.findByText(shown, { exact: false })).toBeInTheDocument();
    await waitFor(() => expect(switchNamed('工单通知：工作台')).toHaveAttribute('aria-checked', 'true'));
    expect(screen.queryByTestId('notice-pref-off-ticket')).not.toBeInTheDocument();
    expect(await puts(fetchMock)[0].json()).toEqual({ ticket: { in_app: false } });
  });

  it('points to the inbox alert switch while this browser has no push', async () => {
    vi.stubGlobal('Notification', { permission: 'default' });
    vi.stubGlobal('PushManager', class {});
    Object.defineProperty(navigator, 'serviceWorker', {
      configurable: true,
      value: { getRegistration: async () => undefined },
    });
    try {
      const fetchMock = serve(...pageRoutes());
      const routed = fetchMock.getMockImplementation()!;
      // pushStatus asks for the VAPID key with a path, not a Request.
      fetchMock.mockImplementation(async (request: Request | string) =>
        typeof request === 'string' && request === '/api/v1/push/key'
          ? jsonResponse(200, { public_key: 'BEl6' })
          : routed(request as Request),
      );
      renderApp('/profile');

      const hint = await screen.findByTestId('push-hint');
      expect(hint).toHaveTextContent('这个浏览器还没有开启推送');
      expect(hint).toHaveTextContent('开启新分配提醒');
      expect(within(hint).getByRole('link', { name: '前往收件箱' })).toHaveAttribute('href', '/inbox');
      // The push switches still work.
      expect(switchNamed('@提及：推送')).not.toBeDisabled();
    } finally {
      Reflect.deleteProperty(navigator, 'serviceWorker');
    }
  });
});
