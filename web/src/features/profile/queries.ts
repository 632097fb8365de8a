import { useMutation, useMutationState, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, collectPages, unwrap } from '../../api/client';
import { toOpenObject } from '../../api/open';
import { updateSessionUser } from '../auth/session';
import { applyChange, changeBody, sameChange, type NoticePrefChange } from './noticePrefs';
import type { CreateToken, NoticePrefs, UpdateMe } from '../../api/types';

const tokensKey = ['me', 'tokens'] as const;

export function useUpdateMe() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateMe) => unwrap(api.PATCH('/api/v1/me', { body })),
    onSuccess: (user) => updateSessionUser(queryClient, user),
  });
}

export function useTokens() {
  return useQuery({
    queryKey: tokensKey,
    queryFn: () =>
      collectPages((cursor) => unwrap(api.GET('/api/v1/me/tokens', { params: { query: { cursor, limit: 200 } } }))),
  });
}

export function useCreateToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateToken) => unwrap(api.POST('/api/v1/me/tokens', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: tokensKey }),
  });
}

export function useRevokeToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => unwrap(api.DELETE('/api/v1/me/tokens/{id}', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: tokensKey }),
  });
}

export const noticePrefsKey = ['me', 'notice-preferences'] as const;

export function useNoticePrefs() {
  return useQuery({
    queryKey: noticePrefsKey,
    queryFn: () => unwrap(api.GET('/api/v1/me/notice-preferences')),
  });
}

/** The changes still being saved, so their switches can show it. */
export function usePendingNoticePrefChanges(): NoticePrefChange[] {
  return useMutationState({
    filters: { mutationKey: noticePrefsKey, status: 'pending' },
    select: (mutation) => mutation.state.variables as NoticePrefChange,
  });
}

/**
 * Saves one switch at once (PUT with just that change). The switch moves before the server
 * answers; a failure moves it back, and the server's answer — with any other change still on
 * its way kept — becomes what the page shows.
 */
export function useSetNoticePref() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: noticePrefsKey,
    mutationFn: (change: NoticePrefChange) =>
      unwrap(api.PUT('/api/v1/me/notice-preferences', { body: toOpenObject(changeBody(change)) })),
    onMutate: async (change) => {
      await queryClient.cancelQueries({ queryKey: noticePrefsKey });
      const before = queryClient.getQueryData<NoticePrefs>(noticePrefsKey);
      if (before) queryClient.setQueryData<NoticePrefs>(noticePrefsKey, applyChange(before, change));
      return { previous: before?.[change.kind][change.field] };
    },
    onError: (_error, change, context) => {
      const previous = context?.previous;
      if (previous === undefined) return;
      queryClient.setQueryData<NoticePrefs>(noticePrefsKey, (prefs) =>
        prefs ? applyChange(prefs, { ...change, value: previous }) : prefs,
      );
    },
    onSuccess: (answer, change) => {
      const others = queryClient
        .getMutationCache()
        .findAll({ mutationKey: noticePrefsKey, status: 'pending' })
        .map((mutation) => mutation.state.variables as NoticePrefChange | undefined)
        .filter((other): other is NoticePrefChange => other !== undefined && !sameChange(other, change));
      queryClient.setQueryData<NoticePrefs>(noticePrefsKey, others.reduce(applyChange, answer));
    },
  });
}
