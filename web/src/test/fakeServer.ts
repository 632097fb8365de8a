import { vi } from 'vitest';

/** Answers a request it recognises; `undefined` lets the next route try. */
export type Route = (request: Request) => Response | undefined;

/** Replaces the global fetch with these routes; an unknown request fails the test loudly. */
export function serve(...routes: Route[]) {
  const fetchMock = vi.fn(async (request: Request) => {
    for (const route of routes) {
      const response = route(request);
      if (response) return response;
    }
    throw new Error(`unexpected ${request.method} ${request.url}`);
  });
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

export const on =
  (method: string, path: string, respond: (request: Request) => Response): Route =>
  (request) =>
    request.method === method && new URL(request.url).pathname === path ? respond(request) : undefined;

export const user = (overrides: Record<string, unknown> = {}) => ({
  id: 1,
  email: 'owner@example.com',
  name: 'Wang Fang',
  role: 'owner',
  locale: 'zh-CN',
  active: true,
  created_at: '2026-11-21T05:11:23.123Z',
  ...overrides,
});

export const sessionOf = (me: ReturnType<typeof user>) => ({
  user: me,
  account: { id: 1, name: 'Acme', timezone: 'Asia/Shanghai', locale: 'zh-CN' },
  csrf_token: 'tok',
});
