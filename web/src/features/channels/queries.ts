import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, collectPages, unwrap } from '../../api/client';
import { toOpenObject } from '../../api/open';
import type { CreateEntryPoint } from '../../api/types';
import type { WidgetSettings } from './settings';

export const channelsKey = ['channels'] as const;
const channelKey = (id: number) => ['channels', id] as const;
const entryPointsKey = (id: number) => ['channels', id, 'entry-points'] as const;

export function useChannels() {
  return useQuery({
    queryKey: channelsKey,
    queryFn: () =>
      collectPages((cursor) => unwrap(api.GET('/api/v1/channels', { params: { query: { cursor, limit: 200 } } }))),
  });
}

export function useChannel(id: number) {
  return useQuery({
    queryKey: channelKey(id),
    queryFn: () => unwrap(api.GET('/api/v1/channels/{id}', { params: { path: { id } } })),
  });
}

export function useCreateChannel() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ name, settings }: { name: string; settings: WidgetSettings }) =>
      unwrap(api.POST('/api/v1/channels', { body: { name, settings: toOpenObject(settings) } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: channelsKey }),
  });
}

export function useUpdateChannel(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    // Settings are replaced as a whole (fields left out fall back to their defaults on the server).
    mutationFn: ({ name, settings }: { name?: string; settings: WidgetSettings }) =>
      unwrap(
        api.PATCH('/api/v1/channels/{id}', {
          params: { path: { id } },
          body: { ...(name === undefined ? {} : { name }), settings: toOpenObject(settings) },
        }),
      ),
    onSuccess: (channel) => {
      queryClient.setQueryData(channelKey(id), channel);
      void queryClient.invalidateQueries({ queryKey: channelsKey, exact: true });
    },
  });
}

/** The identity secret is fetched only when an admin asks to see it, and never cached. */
export function fetchIdentitySecret(id: number): Promise<string> {
  return unwrap(api.GET('/api/v1/channels/{id}/identity-secret', { params: { path: { id } } })).then(
    (answer) => answer.identity_secret,
  );
}

export function useEntryPoints(channelId: number) {
  return useQuery({
    queryKey: entryPointsKey(channelId),
    queryFn: () => unwrap(api.GET('/api/v1/channels/{id}/entry-points', { params: { path: { id: channelId } } })),
  });
}

export function useCreateEntryPoint(channelId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateEntryPoint) =>
      unwrap(api.POST('/api/v1/channels/{id}/entry-points', { params: { path: { id: channelId } }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: entryPointsKey(channelId) }),
  });
}

export function useDeleteEntryPoint(channelId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (entryId: number) =>
      unwrap(
        api.DELETE('/api/v1/channels/{id}/entry-points/{entry_id}', {
          params: { path: { id: channelId, entry_id: entryId } },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: entryPointsKey(channelId) }),
  });
}
