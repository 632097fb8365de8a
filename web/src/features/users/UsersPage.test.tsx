import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { errorResponse, jsonResponse, renderApp } from '../../test/renderApp';
import { on, serve, sessionOf, user } from '../../test/fakeServer';
import { setLocale } from '../../i18n';
import { setCsrfToken } from '../../api/client';

const owner = user();
const agent = user({ id: 2, email: 'agent@example.com', name: 'Li Lei', role: 'agent' });
const usersPage = on('GET', '/api/v1/users', () => jsonResponse(200, { items: [owner, agent], next_cursor: null }));

beforeEach(async () => {
  localStorage.clear();
  await setLocale('zh-CN');
});

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

async function openCreateDialog() {
  const typist = userEvent.setup({ delay: null });
  await screen.findByText('owner@example.com');
  // The header button's name includes its icon's label ("plus").
  await typist.click(screen.getByRole('button', { name: /添加成员/ }));
  const dialog = await screen.findByRole('dialog');
  fireEvent.change(within(dialog).getByLabelText('邮箱'), { target: { value: 'agent@example.com' } });
  fireEvent.change(within(dialog).getByLabelText('姓名'), { target: { value: 'Li Lei' } });
  fireEvent.change(within(dialog).getByLabelText('密码'), { target: { value: 'short' } });
  const submit = () => typist.click(within(dialog).getByRole('button', { name: '添加成员' }));
  return { dialog, submit };
}

describe('UsersPage', () => {
  it('lists users with role and status', async () => {
    serve(on('GET', '/api/v1/me', () => jsonResponse(200, sessionOf(owner))), usersPage);
    renderApp('/users');
    const row = (await screen.findByText('agent@example.com')).closest('tr');
    expect(row).not.toBeNull();
    expect(within(row as HTMLElement).getByText('Li Lei')).toBeInTheDocument();
    expect(within(row as HTMLElement).getByText('客服')).toBeInTheDocument();
    expect(within(row as HTMLElement).getByText('正常')).toBeInTheDocument();
  });

  it('shows a duplicate e-mail (409) on the e-mail field', async () => {
    serve(
      on('GET', '/api/v1/me', () => jsonResponse(200, sessionOf(owner))),
      usersPage,
      on('POST', '/api/v1/users', () => errorResponse(409, 'conflict')),
    );
    renderApp('/users');
    const { dialog, submit } = await openCreateDialog();
    await submit();
    expect(await within(dialog).findByText('该邮箱已被使用')).toBeInTheDocument();
  });

  it('shows 422 details on the matching fields', async () => {
    const fetchMock = serve(
      on('GET', '/api/v1/me', () => jsonResponse(200, sessionOf(owner))),
      usersPage,
      on('POST', '/api/v1/users', () =>
        errorResponse(422, 'validation_failed', {}, [{ field: 'password', message: 'must be at least 12 characters' }]),
      ),
    );
    renderApp('/users');
    const { dialog, submit } = await openCreateDialog();
    await submit();
    expect(await within(dialog).findByText('must be at least 12 characters')).toBeInTheDocument();
    const post = fetchMock.mock.calls.map(([request]) => request).find((request) => request.method === 'POST');
    expect(post?.headers.get('X-CSRF-Token')).toBe('tok');
    expect(await post?.json()).toEqual({
      email: 'agent@example.com',
      name: 'Li Lei',
      role: 'agent',
      password: 'short',
      locale: 'zh-CN',
    });
  });

  it('is read-only for agents', async () => {
    serve(on('GET', '/api/v1/me', () => jsonResponse(200, sessionOf(agent))), usersPage);
    renderApp('/users');
    await screen.findByText('owner@example.com');
    expect(screen.queryByRole('button', { name: /添加成员/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^编辑/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('columnheader', { name: '操作' })).not.toBeInTheDocument();
  });

  it('sends only the changed fields when editing', async () => {
    const fetchMock = serve(
      on('GET', '/api/v1/me', () => jsonResponse(200, sessionOf(owner))),
      usersPage,
      on('PATCH', '/api/v1/users/2', () => jsonResponse(200, { ...agent, role: 'supervisor' })),
    );
    renderApp('/users');
    const typist = userEvent.setup({ delay: null });
    await typist.click(await screen.findByRole('button', { name: '编辑 Li Lei' }));
    const dialog = await screen.findByRole('dialog');
    await typist.click(within(dialog).getByRole('combobox', { name: '角色' }));
    await typist.click(await screen.findByTitle('主管'));
    await typist.click(within(dialog).getByRole('button', { name: '保存' }));
    await waitFor(() => expect(fetchMock.mock.calls.some(([r]) => r.method === 'PATCH')).toBe(true));
    const patch = fetchMock.mock.calls.map(([request]) => request).find((request) => request.method === 'PATCH');
    expect(await patch?.json()).toEqual({ role: 'supervisor' });
  });
});
