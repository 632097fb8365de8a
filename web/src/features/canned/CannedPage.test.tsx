import { describe, expect, it } from 'vitest';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { errorResponse, jsonResponse, renderApp } from '../../test/renderApp';
import { on, serve, sessionOf, user, type Route } from '../../test/fakeServer';
import { pageTests } from '../../test/ticketFixtures';
import type { CannedResponse } from '../../api/types';

const owner = user();
const supervisor = user({ id: 3, email: 'sup@example.com', name: 'Zhao Min', role: 'supervisor' });
const agent = user({ id: 2, email: 'agent@example.com', name: 'Li Lei', role: 'agent' });

const GREET: CannedResponse = {
  id: 1,
  short_code: 'greet',
  content: '{{ contact.name }}您好，我是{{ agent.name }}',
  updated_at: '2026-11-21T05:00:00Z',
};
const REFUND: CannedResponse = {
  id: 2,
  short_code: 'refund',
  content: '退款将在 3 个工作日内到账 <b>请留意</b>',
  updated_at: '2026-11-22T05:00:00Z',
};

/**
 * A row's action button, found by its label and clicked without user-event: jsdom computes the
 * style of an element deep in an antd table in seconds, and role queries and user-event's
 * pointer check ask for it along the whole ancestry.
 */
function clickInRow(code: string, label: string) {
  const row = screen.getByText(`/${code}`).closest('tr') as HTMLElement;
  fireEvent.click(within(row).getByLabelText(label));
}

/** The layout's lookups and a canned-responses list that the routes in `more` may change. */
function routes(me: ReturnType<typeof user>, items: CannedResponse[], ...more: Route[]): Route[] {
  return [
    ...more,
    on('GET', '/api/v1/me', () => jsonResponse(200, sessionOf(me))),
    on('GET', '/api/v1/me/notifications/unread', () => jsonResponse(200, { count: 0 })),
    on('GET', '/api/v1/agents', () => jsonResponse(200, { items: [] })),
    on('GET', '/api/v1/canned-responses', () => jsonResponse(200, { items })),
  ];
}

function formItem(label: HTMLElement): HTMLElement {
  return label.closest('.ant-form-item') as HTMLElement;
}

const cannedGets = (fetchMock: ReturnType<typeof serve>) =>
  fetchMock.mock.calls.filter(([r]) => r.method === 'GET' && new URL(r.url).pathname === '/api/v1/canned-responses').length;

pageTests();

describe('CannedPage', () => {
  it('lists the responses as text and filters them by short code or content', async () => {
    serve(...routes(owner, [GREET, REFUND]));
    renderApp('/canned');
    const typist = userEvent.setup({ delay: null });
    expect(await screen.findByText('/greet', {}, { timeout: 10_000 })).toBeInTheDocument();
    expect(screen.getByText('/refund')).toBeInTheDocument();
    // Content is text: markup shows as typed, nothing is rendered as HTML.
    expect(screen.getByText('退款将在 3 个工作日内到账 <b>请留意</b>')).toBeInTheDocument();
    expect(document.querySelector('td b')).toBeNull();

    const search = screen.getByRole('textbox', { name: '搜索短码或内容' });
    await typist.type(search, '/gre');
    expect(screen.queryByText('/refund')).not.toBeInTheDocument();
    expect(screen.getByText('/greet')).toBeInTheDocument();
    await typist.clear(search);
    await typist.type(search, '工作日');
    expect(screen.queryByText('/greet')).not.toBeInTheDocument();
    expect(screen.getByText('/refund')).toBeInTheDocument();
    await typist.clear(search);
    await typist.type(search, 'nothing');
    expect(screen.getByText('没有匹配“nothing”的快捷回复')).toBeInTheDocument();
  });

  it('shows an empty state that offers to add the first one', async () => {
    serve(...routes(owner, []));
    renderApp('/canned');
    const empty = (await screen.findByText(/还没有快捷回复。/, {}, { timeout: 10_000 })).closest('.ant-empty') as HTMLElement;
    fireEvent.click(within(empty).getByText('新建快捷回复'));
    expect(await screen.findByRole('dialog', { name: '新建快捷回复' })).toBeInTheDocument();
  });

  it('shows a failed load with a retry', async () => {
    serve(...routes(owner, [], on('GET', '/api/v1/canned-responses', () => errorResponse(500, 'internal'))));
    renderApp('/canned');
    expect(await screen.findByRole('button', { name: '重试' }, { timeout: 10_000 })).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('creates one with exactly its short code and content, inserting a variable, and refreshes the list', async () => {
    const items: CannedResponse[] = [GREET];
    const fetchMock = serve(
      ...routes(
        supervisor,
        items,
        on('POST', '/api/v1/canned-responses', () => {
          const created = { id: 9, short_code: 'bye', content: '再见 {{ contact.name }}', updated_at: '2026-11-23T05:00:00Z' };
          items.push(created);
          return jsonResponse(201, created);
        }),
      ),
    );
    renderApp('/canned');
    const typist = userEvent.setup({ delay: null });
    await screen.findByText('/greet', {}, { timeout: 10_000 });
    const before = cannedGets(fetchMock);
    await typist.click(screen.getByRole('button', { name: /新建快捷回复/ }));
    const drawer = await screen.findByRole('dialog', { name: '新建快捷回复' });
    // A leading "/" and spaces are not part of the code.
    await typist.type(within(drawer).getByLabelText('短码'), ' /bye');
    const content = within(drawer).getByLabelText('内容');
    await typist.click(content);
    await typist.paste('再见 ');
    await typist.click(within(drawer).getByRole('button', { name: '客户姓名' }));
    expect(content).toHaveValue('再见 {{ contact.name }}');
    // The preview shows the variable by name.
    expect(within(within(drawer).getByTestId('canned-preview')).getByText('客户姓名')).toBeInTheDocument();
    await typist.click(within(drawer).getByRole('button', { name: /新建快捷回复/ }));

    await waitFor(() => expect(screen.queryByRole('dialog', { name: '新建快捷回复' })).not.toBeInTheDocument());
    const post = fetchMock.mock.calls.map(([r]) => r).find((r) => r.method === 'POST');
    expect(await post?.json()).toEqual({ short_code: 'bye', content: '再见 {{ contact.name }}' });
    // The list the composer's "/" reads was refetched.
    expect(await screen.findByText('/bye')).toBeInTheDocument();
    expect(cannedGets(fetchMock)).toBeGreaterThan(before);
  });

  it('checks the short code and variables before sending', async () => {
    const fetchMock = serve(...routes(owner, [GREET]));
    renderApp('/canned');
    const typist = userEvent.setup({ delay: null });
    await screen.findByText('/greet', {}, { timeout: 10_000 });
    await typist.click(screen.getByRole('button', { name: /新建快捷回复/ }));
    const drawer = await screen.findByRole('dialog', { name: '新建快捷回复' });
    await typist.type(within(drawer).getByLabelText('短码'), 'Bad');
    await typist.click(within(drawer).getByLabelText('内容'));
    await typist.paste('您好 {{ contact.nickname }}');
    await typist.click(within(drawer).getByRole('button', { name: /新建快捷回复/ }));
    expect(await within(drawer).findByText('短码须为 1–40 个小写字母、数字、_ 或 -')).toBeInTheDocument();
    expect(await within(drawer).findByText('未知变量 {{ contact.nickname }}，请使用下方列出的变量')).toBeInTheDocument();
    expect(fetchMock.mock.calls.some(([r]) => r.method === 'POST')).toBe(false);
  });

  it("shows the server's refusals on their fields", async () => {
    let answer = () =>
      errorResponse(422, 'validation_failed', {}, [{ field: 'short_code', message: 'must be 1–40 of a-z, 0-9, _ and -' }]);
    serve(...routes(owner, [GREET], on('POST', '/api/v1/canned-responses', () => answer())));
    renderApp('/canned');
    const typist = userEvent.setup({ delay: null });
    await screen.findByText('/greet', {}, { timeout: 10_000 });
    await typist.click(screen.getByRole('button', { name: /新建快捷回复/ }));
    const drawer = await screen.findByRole('dialog', { name: '新建快捷回复' });
    await typist.type(within(drawer).getByLabelText('短码'), 'greet');
    await typist.click(within(drawer).getByLabelText('内容'));
    await typist.paste('您好');
    await typist.click(within(drawer).getByRole('button', { name: /新建快捷回复/ }));
    expect(
      await within(formItem(within(drawer).getByText('短码'))).findByText('must be 1–40 of a-z, 0-9, _ and -'),
    ).toBeInTheDocument();

    // A taken short code (409 naming the store's column) lands on the same field.
    answer = () =>
      errorResponse(409, 'conflict', {}, [{ field: 'canned_responses.short_code', message: 'is already taken' }]);
    await typist.click(within(drawer).getByRole('button', { name: /新建快捷回复/ }));
    expect(await within(formItem(within(drawer).getByText('短码'))).findByText('已有快捷回复使用这个短码')).toBeInTheDocument();
    expect(screen.getByRole('dialog', { name: '新建快捷回复' })).toBeInTheDocument();
  });

  it('edits one, sending only what changed', async () => {
    const fetchMock = serve(
      ...routes(
        owner,
        [GREET],
        on('PATCH', '/api/v1/canned-responses/1', () =>
          jsonResponse(200, { ...GREET, content: '您好，{{ contact.name }}', updated_at: '2026-11-24T05:00:00Z' }),
        ),
      ),
    );
    renderApp('/canned');
    const typist = userEvent.setup({ delay: null });
    await screen.findByText('/greet', {}, { timeout: 10_000 });
    clickInRow('greet', '编辑 /greet');
    const drawer = await screen.findByRole('dialog', { name: '编辑快捷回复' });
    expect(within(drawer).getByLabelText('短码')).toHaveValue('greet');
    const content = within(drawer).getByLabelText('内容');
    expect(content).toHaveValue(GREET.content);
    await typist.clear(content);
    await typist.paste('您好，{{ contact.name }}');
    await typist.click(within(drawer).getByRole('button', { name: '保存' }));
    await waitFor(() => expect(screen.queryByRole('dialog', { name: '编辑快捷回复' })).not.toBeInTheDocument());
    const patch = fetchMock.mock.calls.map(([r]) => r).find((r) => r.method === 'PATCH');
    expect(await patch?.json()).toEqual({ content: '您好，{{ contact.name }}' });
  });

  it('deletes one after confirming', async () => {
    const items: CannedResponse[] = [GREET, REFUND];
    const fetchMock = serve(
      ...routes(
        owner,
        items,
        on('DELETE', '/api/v1/canned-responses/2', () => {
          items.splice(1, 1);
          return new Response(null, { status: 204 });
        }),
      ),
    );
    renderApp('/canned');
    const typist = userEvent.setup({ delay: null });
    await screen.findByText('/refund', {}, { timeout: 10_000 });
    clickInRow('refund', '删除 /refund');
    expect(await screen.findByText('删除快捷回复 /refund？')).toBeInTheDocument();
    await typist.click(screen.getByRole('button', { name: '删除' }));
    expect(await screen.findByText('已删除 /refund')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByText('/refund')).not.toBeInTheDocument());
    expect(fetchMock.mock.calls.some(([r]) => r.method === 'DELETE' && r.url.endsWith('/api/v1/canned-responses/2'))).toBe(true);
    expect(screen.getByText('/greet')).toBeInTheDocument();
  });

  it('lets agents read the list but not change it', async () => {
    serve(...routes(agent, [GREET]));
    renderApp('/canned');
    await screen.findByText('/greet', {}, { timeout: 10_000 });
    expect(screen.getByText(/只有主管及以上角色可以添加或修改/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /新建快捷回复/ })).not.toBeInTheDocument();
    expect(screen.queryByLabelText('编辑 /greet')).not.toBeInTheDocument();
    expect(screen.queryByLabelText('删除 /greet')).not.toBeInTheDocument();
    // The navigation (a drawer on jsdom's narrow screen) lists the page for everyone.
    await userEvent.setup({ delay: null }).click(screen.getByRole('button', { name: '打开导航' }));
    const nav = await screen.findByRole('navigation', { name: '主导航' });
    expect(within(nav).getByRole('menuitem', { name: /快捷回复/ })).toBeInTheDocument();
  });
});
