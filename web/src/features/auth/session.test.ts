import { afterEach, describe, expect, it, vi } from 'vitest';
import { QueryClient } from '@tanstack/react-query';
import { jsonResponse } from '../../test/renderApp';
import { sessionOf, user } from '../../test/fakeServer';
import { setCsrfToken } from '../../api/client';
import { endSession, fetchSession, sessionKey } from './session';

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

describe('endSession', () => {
  it('an answer to /me asked for before signing out does not sign the user back in', async () => {
    let answer: ((response: Response) => void) | undefined;
    vi.stubGlobal(
      'fetch',
      vi.fn(
        () =>
          new Promise<Response>((resolve) => {
            answer = resolve;
          }),
      ),
    );
    const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    queryClient.setQueryData(sessionKey, sessionOf(user()));
    // Something asks /me again (the socket reports trouble) just before the user signs out.
    const refetch = queryClient.fetchQuery({ queryKey: sessionKey, queryFn: fetchSession, staleTime: 0 });
    await vi.waitFor(() => expect(answer).toBeDefined());

    endSession(queryClient);
    answer?.(jsonResponse(200, sessionOf(user())));
    await refetch.catch(() => undefined);

    expect(queryClient.getQueryData(sessionKey)).toBeNull();
  });
});
