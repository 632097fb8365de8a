import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';
import { ApiError, networkError, parseErrorResponse } from './errors';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const AUTH_PREFIX = '/api/v1/auth/';

let csrfToken: string | null = null;
let unauthorizedHandler: (() => void) | null = null;

/** Remembers the CSRF token from login or GET /api/v1/me; sent on every mutation. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function getCsrfToken(): string | null {
  return csrfToken;
}

/** Called when a non-auth request answers 401 (the session ended or was revoked). */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  unauthorizedHandler = handler;
}

const csrfMiddleware: Middleware = {
  onRequest({ request }) {
    if (!SAFE_METHODS.has(request.method.toUpperCase()) && csrfToken) {
      request.headers.set('X-CSRF-Token', csrfToken);
    }
    return request;
  },
};

const unauthorizedMiddleware: Middleware = {
  onResponse({ request, response }) {
    if (response.status === 401 && !new URL(request.url).pathname.startsWith(AUTH_PREFIX)) {
      unauthorizedHandler?.();
    }
    return response;
  },
};

export const api = createClient<paths>({
  // Absolute so that Request() also accepts it outside a browser (tests).
  baseUrl: globalThis.location?.origin ?? '',
  credentials: 'include',
  // Resolved at call time so tests can replace the global fetch.
  fetch: (request: Request) => globalThis.fetch(request),
});
api.use(csrfMiddleware, unauthorizedMiddleware);

type Outcome<T> = { data?: T; error?: unknown; response: Response };

/** Awaits an openapi-fetch call and returns its data, or throws an ApiError. */
export async function unwrap<T>(call: Promise<Outcome<T>>): Promise<T> {
  let outcome: Outcome<T>;
  try {
    outcome = await call;
  } catch (cause) {
    throw networkError(cause);
  }
  const { data, error, response } = outcome;
  if (!response.ok || error !== undefined) {
    throw parseErrorResponse(response.status, error, response.headers);
  }
  return data as T;
}

/** Follows `next_cursor` until the last page and returns every item (lists are small in the foundation). */
export async function collectPages<T>(
  fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; next_cursor?: string | null }>,
): Promise<T[]> {
  return (await collectPagesUpTo(fetchPage, Infinity)).items;
}

/** `collectPages` stopping after `maxPages`; `more` tells whether pages were left. */
export async function collectPagesUpTo<T>(
  fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; next_cursor?: string | null }>,
  maxPages: number,
): Promise<{ items: T[]; more: boolean }> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const result = await fetchPage(cursor);
    items.push(...result.items);
    if (!result.next_cursor) return { items, more: false };
    cursor = result.next_cursor;
  }
  return { items, more: true };
}

export { ApiError };
