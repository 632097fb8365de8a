import type { ReactNode } from 'react';
import { render } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { ConfigProvider } from 'antd';
import { QueryClientProvider } from '@tanstack/react-query';
import { createQueryClient } from '../App';
import { LocaleProvider } from '../i18n/LocaleProvider';
import { sessionKey } from '../features/auth/session';
import { sessionOf, type user } from './fakeServer';

/** Renders one component as `me` is signed in, without the app's routes. */
export function renderSignedIn(ui: ReactNode, me: ReturnType<typeof user>) {
  const queryClient = createQueryClient();
  queryClient.setDefaultOptions({ queries: { ...queryClient.getDefaultOptions().queries, retry: false } });
  queryClient.setQueryData(sessionKey, sessionOf(me));
  return render(
    <QueryClientProvider client={queryClient}>
      <LocaleProvider>
        <ConfigProvider theme={{ token: { motion: false } }}>
          <MemoryRouter>{ui}</MemoryRouter>
        </ConfigProvider>
      </LocaleProvider>
    </QueryClientProvider>,
  );
}
