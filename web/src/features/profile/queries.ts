import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, collectPages, unwrap } from '../../api/client';
import { updateSessionUser } from '../auth/session';
import type { CreateToken, UpdateMe } from '../../api/types';

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
