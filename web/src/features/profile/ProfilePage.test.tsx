import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { errorResponse, jsonResponse, renderApp } from '../../test/renderApp';
import { on, serve, sessionOf, user } from '../../test/fakeServer';
import { setLocale } from '../../i18n';
import { setCsrfToken } from '../../api/client';

const me = user();
const token = { id: 9, name: 'CRM sync', created_at: '2026-11-21T05:11:23.123Z', expires_at: null, last_used_at: null };

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
      on('POST', '/api/v1/me/tokens', () => {
        tokens = [token];
        return jsonResponse(201, { ...token, token: 'yk_secret_value' });
      }),
    );
    renderApp('/profile');
    const typist = userEvent.setup({ delay: null });
    await screen.findByText('还没有访问令牌', {}, { timeout: 5000 });
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
      on('GET', '/api/v1/me', () => jsonResponse(200, sessionOf(me))),
      on('GET', '/api/v1/me/tokens', () => jsonResponse(200, { items: [], next_cursor: null })),
      on('PATCH', '/api/v1/me', () =>
        errorResponse(422, 'validation_failed', {}, [{ field: 'current_password', message: 'is not your current password' }]),
      ),
    );
    renderApp('/profile');
    fireEvent.change(await screen.findByLabelText('当前密码', {}, { timeout: 5000 }), { target: { value: 'nope-nope-nope' } });
    fireEvent.change(screen.getByLabelText('新密码'), { target: { value: 'new-password-123' } });
    fireEvent.change(screen.getByLabelText('确认新密码'), { target: { value: 'new-password-123' } });
    await userEvent.setup({ delay: null }).click(screen.getByRole('button', { name: '修改密码' }));
    expect(await screen.findByText('is not your current password')).toBeInTheDocument();
  });
});
