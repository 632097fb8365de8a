import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { toOpenObject } from '../../api/open';
import type { NotificationDelivery } from '../../api/types';
import {
  readChannel,
  readPolicy,
  readPreview,
  readRule,
  readTestResult,
  type Policy,
  type RuleSpec,
  type TemplateInput,
} from './model';

export const notifyKey = ['notifications'] as const;
export const policyKey = ['notifications', 'policy'] as const;
export const channelsKey = ['notifications', 'channels'] as const;
export const rulesKey = ['notifications', 'rules'] as const;
export const templatesKey = ['notifications', 'templates'] as const;
export const deliveriesKey = (filter: DeliveryFilter) => ['notifications', 'deliveries', filter] as const;
/** The signed-in agent's own notices and their unread count. */
export const myNoticesKey = ['me', 'notifications'] as const;
export const unreadKey = ['me', 'notifications', 'unread'] as const;

export function usePolicy() {
  return useQuery({
    queryKey: policyKey,
    queryFn: () => unwrap(api.GET('/api/v1/notifications/policy')).then(readPolicy),
  });
}

export function useSavePolicy() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (policy: Policy) =>
      unwrap(api.PUT('/api/v1/notifications/policy', { body: toOpenObject(policy) })).then(readPolicy),
    onSuccess: (policy) => queryClient.setQueryData(policyKey, policy),
  });
}

export function useNotifyChannels() {
  return useQuery({
    queryKey: channelsKey,
    queryFn: () => unwrap(api.GET('/api/v1/notifications/channels')).then((list) => list.items.map(readChannel)),
  });
}

/** What a channel form sends: secrets only when typed (left out, they keep their value). */
export type ChannelBody = {
  kind?: string;
  name: string;
  config: Record<string, string | number>;
  secrets: Record<string, string | null>;
  enabled: boolean;
  position: number;
};

export function useSaveNotifyChannel() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: number | null; body: ChannelBody }) =>
      (id === null
        ? unwrap(api.POST('/api/v1/notifications/channels', { body: toOpenObject(body) }))
        : unwrap(api.PUT('/api/v1/notifications/channels/{id}', { params: { path: { id } }, body: toOpenObject(body) }))
      ).then(readChannel),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: channelsKey }),
  });
}

export function useDeleteNotifyChannel() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => unwrap(api.DELETE('/api/v1/notifications/channels/{id}', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: channelsKey }),
  });
}

export function useTestNotifyChannel() {
  return useMutation({
    mutationFn: ({ id, to }: { id: number; to: string }) =>
      unwrap(api.POST('/api/v1/notifications/channels/{id}/test', { params: { path: { id } }, body: { to } })).then(
        readTestResult,
      ),
  });
}

export function useNotifyRules() {
  return useQuery({
    queryKey: rulesKey,
    queryFn: () => unwrap(api.GET('/api/v1/notifications/rules')).then((list) => list.items.map(readRule)),
  });
}

export type RuleBody = { spec: RuleSpec; position: number; active: boolean };

export function useSaveNotifyRule() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: number | null; body: RuleBody }) => {
      const payload = { ...body, spec: toOpenObject(body.spec) };
      return (
        id === null
          ? unwrap(api.POST('/api/v1/notifications/rules', { body: payload }))
          : unwrap(api.PUT('/api/v1/notifications/rules/{id}', { params: { path: { id } }, body: payload }))
      ).then(readRule);
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: rulesKey }),
  });
}

export function useDeleteNotifyRule() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => unwrap(api.DELETE('/api/v1/notifications/rules/{id}', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: rulesKey }),
  });
}

const fetchTemplates = () => unwrap(api.GET('/api/v1/notifications/templates'));

/** Every template variant and the variables templates may use. */
export function useNotifyTemplates() {
  return useQuery({ queryKey: templatesKey, queryFn: fetchTemplates });
}

/** The variants of one key (all when `key` is null). */
export function useTemplateVariants(key: string | null) {
  return useQuery({
    queryKey: templatesKey,
    queryFn: fetchTemplates,
    select: (list) => (key === null ? list.items : list.items.filter((tpl) => tpl.key === key)),
  });
}

export function useSaveNotifyTemplate() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: TemplateInput) =>
      unwrap(api.PUT('/api/v1/notifications/templates', { body: toOpenObject(body) })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: templatesKey }),
  });
}

export function useDeleteNotifyTemplate() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => unwrap(api.DELETE('/api/v1/notifications/templates/{id}', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: templatesKey }),
  });
}

/** Renders a subject and body for the sample ticket (or `ticket_id`), masked like a real notice. */
export function previewTemplate(input: { subject: string; body: string; ticket_id?: number }) {
  return unwrap(api.POST('/api/v1/notifications/templates/preview', { body: toOpenObject(input) })).then(readPreview);
}

export type DeliveryFilter = { status?: string; medium?: string; ticket_id?: number };

/** Deliveries asked for at a time; a full page means there may be older ones. */
export const DELIVERY_PAGE = 50;

/** Deliveries, newest first, a page at a time (`before` the oldest id shown). */
export function useDeliveries(filter: DeliveryFilter) {
  return useInfiniteQuery({
    queryKey: deliveriesKey(filter),
    placeholderData: keepPreviousData,
    initialPageParam: undefined as number | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/notifications/deliveries', {
          params: { query: { ...filter, limit: DELIVERY_PAGE, ...(pageParam !== undefined ? { before: pageParam } : {}) } },
        }),
      ).then((list) => list.items),
    getNextPageParam: (last) => (last.length === DELIVERY_PAGE ? last.at(-1)?.id : undefined),
    select: (data) => data.pages.flat(),
  });
}

export function useMyNotices(enabled: boolean) {
  return useQuery({
    queryKey: myNoticesKey,
    enabled,
    queryFn: (): Promise<NotificationDelivery[]> =>
      unwrap(api.GET('/api/v1/me/notifications', { params: { query: { limit: 30 } } })).then((list) => list.items),
  });
}

/** Live frames keep it current; live delivery may skip a frame, so it is also asked for now and then. */
export function useUnreadCount() {
  return useQuery({
    queryKey: unreadKey,
    refetchInterval: 60_000,
    queryFn: () => unwrap(api.GET('/api/v1/me/notifications/unread')).then((r) => r.count),
  });
}

export function useReadNotice() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => unwrap(api.POST('/api/v1/me/notifications/{id}/read', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: myNoticesKey }),
  });
}

export function useReadAllNotices() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/me/notifications/read-all')),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: myNoticesKey }),
  });
}
