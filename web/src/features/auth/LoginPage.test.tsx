import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { errorResponse, jsonResponse, renderApp } from '../../test/renderApp';
import { on, serve, sessionOf, user } from '../../test/fakeServer';
import { setLocale } from '../../i18n';
import { getCsrfToken, setCsrfToken } from '../../api/client';

const session = sessionOf(user());

const signedOut = on('GET', '/api/v1/me', () => errorResponse(401, 'unauthenticated'));

async function fillAndSubmit(email: string, password: string) {
  const typist = userEvent.setup({ delay: null });
  await typist.type(await screen.findByLabelText('邮箱'), email);
  await typist.type(screen.getByLabelText('密码'), password);
  await typist.click(screen.getByRole('button', { name: '登录' }));
}

beforeEach(async () => {
  localStorage.clear();
  await setLocale('zh-CN');
  localStorage.clear();
});

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

describe('LoginPage', () => {
  it('renders in zh-CN by default', async () => {
    serve(signedOut);
    renderApp('/login');
    expect(await screen.findByRole('heading', { name: '登录' })).toBeInTheDocument();
    expect(screen.getByLabelText('邮箱')).toBeInTheDocument();
    expect(screen.getByLabelText('密码')).toBeInTheDocument();
    expect(document.documentElement.lang).toBe('zh-CN');
  });

  it('shows the wait time from Retry-After when throttled', async () => {
    serve(signedOut, on('POST', '/api/v1/auth/login', () => errorResponse(429, 'too_many_attempts', { 'Retry-After': '37' })));
    renderApp('/login');
    await fillAndSubmit('owner@example.com', 'wrong-password');
    expect(await screen.findByRole('alert')).toHaveTextContent('尝试次数过多，请在 37 秒后重试。');
  });

  it('says the credentials are wrong on 401', async () => {
    serve(signedOut, on('POST', '/api/v1/auth/login', () => errorResponse(401, 'unauthenticated')));
    renderApp('/login');
    await fillAndSubmit('owner@example.com', 'wrong-password');
    expect(await screen.findByRole('alert')).toHaveTextContent('邮箱或密码错误。');
  });

  it('puts 422 details on the matching field', async () => {
    serve(
      signedOut,
      on('POST', '/api/v1/auth/login', () =>
        errorResponse(422, 'validation_failed', {}, [{ field: 'password', message: 'must not be empty' }]),
      ),
    );
    renderApp('/login');
    await fillAndSubmit('owner@example.com', 'x');
    expect(await screen.findByText('must not be empty')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('goes to the page the user wanted after signing in', async () => {
    let signedIn = false;
    const fetchMock = serve(
      on('GET', '/api/v1/me', () => (signedIn ? jsonResponse(200, session) : errorResponse(401, 'unauthenticated'))),
      on('POST', '/api/v1/auth/login', () => {
        signedIn = true;
        return jsonResponse(200, session);
      }),
      on('GET', '/api/v1/teams', () => jsonResponse(200, { items: [], next_cursor: null })),
    );
    renderApp('/teams');
    await fillAndSubmit('owner@example.com', 'correct-horse-battery');
    expect(await screen.findByRole('heading', { name: '团队' })).toBeInTheDocument();
    expect(screen.getByText('Wang Fang')).toBeInTheDocument();
    expect(getCsrfToken()).toBe('tok');
    const login = fetchMock.mock.calls.map(([request]) => request).find((request) => request.method === 'POST');
    expect(await login?.json()).toEqual({ email: 'owner@example.com', password: 'correct-horse-battery' });
  });

  it('switches to English before signing in', async () => {
    serve(signedOut);
    renderApp('/login');
    const typist = userEvent.setup({ delay: null });
    await typist.click(await screen.findByText('English'));
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.getByLabelText('E-mail')).toBeInTheDocument();
    await waitFor(() => expect(localStorage.getItem('yingke.locale')).toBe('en'));
  });
});
