import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, setCsrfToken, setUnauthorizedHandler, unwrap } from './client';
import { ApiError } from './errors';
import { errorResponse, jsonResponse } from '../test/renderApp';

const fetchMock = vi.fn<(request: Request) => Promise<Response>>();

function lastRequest(): Request {
  const call = fetchMock.mock.calls.at(-1);
  if (!call) throw new Error('fetch was not called');
  return call[0];
}

beforeEach(() => {
  fetchMock.mockReset();
  vi.stubGlobal('fetch', fetchMock);
  setCsrfToken('csrf-123');
});

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
  setUnauthorizedHandler(null);
});

describe('api client', () => {
  it('sends X-CSRF-Token on mutations', async () => {
    fetchMock.mockResolvedValue(jsonResponse(201, { id: 1, name: 'Support', description: null, member_count: 0, created_at: '2026-01-01T00:00:00Z' }));
    await unwrap(api.POST('/api/v1/teams', { body: { name: 'Support' } }));
    expect(lastRequest().method).toBe('POST');
    expect(lastRequest().headers.get('X-CSRF-Token')).toBe('csrf-123');

    fetchMock.mockResolvedValue(new Response(null, { status: 204 }));
    await unwrap(api.DELETE('/api/v1/teams/{id}', { params: { path: { id: 7 } } }));
    expect(lastRequest().headers.get('X-CSRF-Token')).toBe('csrf-123');
    expect(new URL(lastRequest().url).pathname).toBe('/api/v1/teams/7');

    fetchMock.mockResolvedValue(jsonResponse(200, { team_id: 7, user: {}, added_at: '2026-01-01T00:00:00Z' }));
    await unwrap(api.PUT('/api/v1/teams/{id}/members/{user_id}', { params: { path: { id: 7, user_id: 3 } } }));
    expect(lastRequest().headers.get('X-CSRF-Token')).toBe('csrf-123');
  });

  it('does not send X-CSRF-Token on GET', async () => {
    fetchMock.mockResolvedValue(jsonResponse(200, { items: [], next_cursor: null }));
    await unwrap(api.GET('/api/v1/users', { params: { query: { limit: 10 } } }));
    expect(lastRequest().method).toBe('GET');
    expect(lastRequest().headers.has('X-CSRF-Token')).toBe(false);
    expect(new URL(lastRequest().url).search).toBe('?limit=10');
  });

  it('sends cookies and JSON bodies', async () => {
    fetchMock.mockResolvedValue(jsonResponse(200, { id: 1 }));
    await unwrap(api.PATCH('/api/v1/me', { body: { name: 'Li Lei' } }));
    expect(lastRequest().credentials).toBe('include');
    expect(lastRequest().headers.get('Content-Type')).toBe('application/json');
    expect(await lastRequest().json()).toEqual({ name: 'Li Lei' });
  });

  it('throws an ApiError parsed from the envelope', async () => {
    fetchMock.mockResolvedValue(
      errorResponse(422, 'validation_failed', {}, [{ field: 'email', message: 'must be a valid e-mail address' }]),
    );
    const failure = unwrap(
      api.POST('/api/v1/users', { body: { email: 'x', name: 'X', role: 'agent', password: 'secret-password' } }),
    );
    await expect(failure).rejects.toBeInstanceOf(ApiError);
    await expect(failure).rejects.toMatchObject({
      status: 422,
      code: 'validation_failed',
      details: [{ field: 'email', message: 'must be a valid e-mail address' }],
    });
  });

  it('reports a 401 on a normal request to the unauthorized handler, but not on login', async () => {
    const handler = vi.fn();
    setUnauthorizedHandler(handler);

    fetchMock.mockResolvedValue(errorResponse(401, 'unauthenticated'));
    await expect(unwrap(api.POST('/api/v1/auth/login', { body: { email: 'a@b.c', password: 'x' } }))).rejects.toMatchObject({ status: 401 });
    expect(handler).not.toHaveBeenCalled();

    fetchMock.mockResolvedValue(errorResponse(401, 'unauthenticated'));
    await expect(unwrap(api.GET('/api/v1/teams'))).rejects.toMatchObject({ status: 401 });
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('turns a failed fetch into a network ApiError', async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'));
    await expect(unwrap(api.GET('/api/v1/me'))).rejects.toMatchObject({ status: 0, code: 'network_error' });
  });
});
