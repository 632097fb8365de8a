import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, setCsrfToken, unwrap } from '../../api/client';
import { isApiError } from '../../api/errors';
import type { LoginRequest, Session, User } from '../../api/types';

export const sessionKey = ['session'] as const;

/** GET /api/v1/me; `null` when nobody is signed in. */
export async function fetchSession(): Promise<Session | null> {
  try {
    const session = await unwrap(api.GET('/api/v1/me'));
    setCsrfToken(session.csrf_token ?? null);
    return session;
  } catch (error) {
    if (isApiError(error) && error.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw error;
  }
}

export function useSession() {
  return useQuery({ queryKey: sessionKey, queryFn: fetchSession, staleTime: Infinity, retry: false });
}

/** The signed-in session; only for components rendered behind RequireAuth. */
export function useCurrentSession(): Session {
  const { data } = useSession();
  if (!data) throw new Error('useCurrentSession used outside RequireAuth');
  return data;
}

/** Forgets everything cached for the previous user. */
export function endSession(queryClient: QueryClient): void {
  setCsrfToken(null);
  // A /me already on its way was asked with the old cookie: its answer must not sign us back in.
  void queryClient.cancelQueries({ queryKey: sessionKey });
  queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== sessionKey[0] });
  queryClient.setQueryData(sessionKey, null);
}

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: LoginRequest) => unwrap(api.POST('/api/v1/auth/login', { body })),
    onSuccess: (session) => {
      setCsrfToken(session.csrf_token ?? null);
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== sessionKey[0] });
      queryClient.setQueryData(sessionKey, session);
    },
  });
}

export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/auth/logout')),
    onSettled: () => endSession(queryClient),
  });
}

/** Replaces the signed-in user in the cached session (after PATCH /me). */
export function updateSessionUser(queryClient: QueryClient, user: User): void {
  queryClient.setQueryData<Session | null>(sessionKey, (session) => (session ? { ...session, user } : session));
}
