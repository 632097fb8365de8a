import { render } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { ConfigProvider } from 'antd';
import { QueryClientProvider } from '@tanstack/react-query';
import { AppRoutes, SessionExpiryWatcher, createQueryClient } from '../App';
import { LocaleProvider } from '../i18n/LocaleProvider';

/** Renders the real routes at `path` with fresh providers. */
export function renderApp(path: string) {
  const queryClient = createQueryClient();
  queryClient.setDefaultOptions({ queries: { ...queryClient.getDefaultOptions().queries, retry: false } });
  return render(
    <QueryClientProvider client={queryClient}>
      <LocaleProvider>
        {/* jsdom fires no animation events; without motion, closed dialogs unmount at once. */}
        <ConfigProvider theme={{ token: { motion: false } }}>
          <SessionExpiryWatcher />
          <MemoryRouter initialEntries={[path]}>
            <AppRoutes />
          </MemoryRouter>
        </ConfigProvider>
      </LocaleProvider>
    </QueryClientProvider>,
  );
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

export function errorResponse(status: number, code: string, headers: Record<string, string> = {}, details?: unknown) {
  return jsonResponse(status, { error: { code, message: code, ...(details ? { details } : {}) } }, headers);
}
