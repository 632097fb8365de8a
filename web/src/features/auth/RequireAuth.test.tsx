import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { screen } from '@testing-library/react';
import { errorResponse, jsonResponse, renderApp } from '../../test/renderApp';
import { on, serve, sessionOf, user } from '../../test/fakeServer';
import { setLocale } from '../../i18n';
import { getCsrfToken, setCsrfToken } from '../../api/client';

beforeEach(async () => {
  localStorage.clear();
  await setLocale('zh-CN');
});

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

describe('RequireAuth', () => {
  it('sends a visitor who is not signed in to the login page', async () => {
    serve(on('GET', '/api/v1/me', () => errorResponse(401, 'unauthenticated')));
    renderApp('/users');
    expect(await screen.findByRole('heading', { name: '登录' })).toBeInTheDocument();
  });

  it('goes to the login page when the session ends while using the app', async () => {
    serve(
      on('GET', '/api/v1/me', () => jsonResponse(200, sessionOf(user()))),
      // The session was revoked (e.g. the user was deactivated) between two requests.
      on('GET', '/api/v1/teams', () => errorResponse(401, 'unauthenticated')),
    );
    renderApp('/teams');
    expect(await screen.findByRole('heading', { name: '登录' })).toBeInTheDocument();
    expect(getCsrfToken()).toBeNull();
  });
});
