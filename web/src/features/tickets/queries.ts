import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type QueryKey } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { toOpenObject } from '../../api/open';
import type {
  AddMarker,
  ChangeStatus,
  CreateTicket,
  ImportHolidays,
  SaveCalendar,
  SaveCategory,
  SavePolicy,
  TicketDetail,
  TicketReply,
  TimelineEntry,
  TransferTicket,
  UpdateTicket,
} from '../../api/types';
import { readWorkflow, type Workflow } from './workflow';

export const ticketsKey = ['tickets'] as const;
export const ticketListKey = (filters: TicketFilters) => ['tickets', 'list', filters] as const;
export const ticketKey = (id: number) => ['tickets', 'detail', id] as const;
export const timelineKey = (id: number) => ['tickets', 'timeline', id] as const;
export const categoriesKey = ['ticket-categories'] as const;
export const workflowKey = ['ticket-workflow'] as const;
export const markersKey = ['ticket-markers'] as const;
export const calendarsKey = ['calendars'] as const;
export const policiesKey = ['sla', 'policies'] as const;
export const thresholdSettingsKey = ['sla', 'threshold-settings'] as const;
export const thresholdsKey = ['sla', 'thresholds'] as const;
export const timersKey = (status: string) => ['timers', status] as const;

/** The list filters the API understands (`GET /tickets`). */
export type TicketFilters = {
  status?: string;
  priority?: string;
  assignee_id?: number;
  team_id?: number;
  category_id?: number;
  /** One contact's tickets (the inbox's context panel). */
  contact_id?: number;
  q?: string;
};

const PAGE = 50;

/** A change to an account-wide list (categories, calendars, policies …): the list is fetched again after it. */
function useListChange<V, R>(key: QueryKey, mutationFn: (variables: V) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn, onSuccess: () => queryClient.invalidateQueries({ queryKey: key }) });
}

/** Creates (`id` null) or replaces an item of an account-wide list. */
type Save<B> = { id: number | null; body: B };

/** Tickets, newest first, a page at a time (`next_before`). */
export function useTickets(filters: TicketFilters) {
  return useInfiniteQuery({
    queryKey: ticketListKey(filters),
    initialPageParam: undefined as number | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/tickets', { params: { query: { ...filters, before: pageParam, limit: PAGE } } })),
    getNextPageParam: (page) => page.next_before ?? undefined,
  });
}

export function useTicket(id: number) {
  return useQuery({
    queryKey: ticketKey(id),
    queryFn: () => unwrap(api.GET('/api/v1/tickets/{id}', { params: { path: { id } } })),
  });
}

/** The whole timeline, oldest first (pages of 500 until the end). */
export function useTimeline(id: number) {
  return useQuery({
    queryKey: timelineKey(id),
    queryFn: async () => {
      const items: TimelineEntry[] = [];
      let after = 0;
      for (;;) {
        const page = await unwrap(
          api.GET('/api/v1/tickets/{id}/timeline', { params: { path: { id }, query: { after, limit: 500 } } }),
        );
        items.push(...page.items);
        if (page.next_after == null) return items;
        after = page.next_after;
      }
    },
  });
}

export function useCreateTicket() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateTicket) => unwrap(api.POST('/api/v1/tickets', { body })),
    onSuccess: (ticket) => {
      queryClient.setQueryData(ticketKey(ticket.id), ticket);
      void queryClient.invalidateQueries({ queryKey: [...ticketsKey, 'list'] });
    },
  });
}

/** Creates a ticket from a conversation (transcript, contact, team and tags carried over). */
export function useTicketFromConversation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (conversationId: number) =>
      unwrap(api.POST('/api/v1/conversations/{id}/ticket', { params: { path: { id: conversationId } }, body: {} })),
    onSuccess: (ticket) => {
      queryClient.setQueryData(ticketKey(ticket.id), ticket);
      void queryClient.invalidateQueries({ queryKey: [...ticketsKey, 'list'] });
    },
  });
}

/** Every change to a ticket answers the ticket: it replaces the cached one, and the timeline and lists refresh. */
function useTicketChange<T>(id: number, call: (body: T) => Promise<TicketDetail>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: call,
    onSuccess: (ticket) => {
      queryClient.setQueryData(ticketKey(id), ticket);
      void queryClient.invalidateQueries({ queryKey: timelineKey(id) });
      void queryClient.invalidateQueries({ queryKey: [...ticketsKey, 'list'] });
    },
  });
}

export function useUpdateTicket(id: number) {
  return useTicketChange(id, (body: UpdateTicket) => unwrap(api.PATCH('/api/v1/tickets/{id}', { params: { path: { id } }, body })));
}

export function useChangeStatus(id: number) {
  return useTicketChange(id, (body: ChangeStatus) =>
    unwrap(api.POST('/api/v1/tickets/{id}/status', { params: { path: { id } }, body })),
  );
}

export function useTransferTicket(id: number) {
  return useTicketChange(id, (body: TransferTicket) =>
    unwrap(api.POST('/api/v1/tickets/{id}/transfer', { params: { path: { id } }, body })),
  );
}

export function useReplyToTicket(id: number) {
  return useTicketChange(id, (body: TicketReply) =>
    unwrap(api.POST('/api/v1/tickets/{id}/replies', { params: { path: { id } }, body })),
  );
}

export function useAddMarker(id: number) {
  return useTicketChange(id, (body: AddMarker) => unwrap(api.POST('/api/v1/tickets/{id}/markers', { params: { path: { id } }, body })));
}

export function useSetCollaborators(id: number) {
  return useTicketChange(id, (user_ids: number[]) =>
    unwrap(api.PUT('/api/v1/tickets/{id}/collaborators', { params: { path: { id } }, body: { user_ids } })),
  );
}

// ---- Categories, workflow, markers ----

export function useCategories() {
  return useQuery({
    queryKey: categoriesKey,
    queryFn: () => unwrap(api.GET('/api/v1/ticket-categories')).then((list) => list.items),
  });
}

export function useSaveCategory() {
  return useListChange(categoriesKey, ({ id, body }: Save<SaveCategory>) =>
    id === null
      ? unwrap(api.POST('/api/v1/ticket-categories', { body }))
      : unwrap(api.PUT('/api/v1/ticket-categories/{id}', { params: { path: { id } }, body })),
  );
}

export function useDeleteCategory() {
  return useListChange(categoriesKey, (id: number) => unwrap(api.DELETE('/api/v1/ticket-categories/{id}', { params: { path: { id } } })));
}

export function useWorkflow() {
  return useQuery({
    queryKey: workflowKey,
    queryFn: () => unwrap(api.GET('/api/v1/ticket-workflow')).then(readWorkflow),
  });
}

export function usePutWorkflow() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (workflow: Workflow) => unwrap(api.PUT('/api/v1/ticket-workflow', { body: toOpenObject(workflow) })).then(readWorkflow),
    onSuccess: (workflow) => queryClient.setQueryData(workflowKey, workflow),
  });
}

export function useMarkers() {
  return useQuery({
    queryKey: markersKey,
    queryFn: () => unwrap(api.GET('/api/v1/ticket-markers')).then((list) => list.items),
  });
}

export function useCreateMarker() {
  return useListChange(markersKey, (name: string) => unwrap(api.POST('/api/v1/ticket-markers', { body: { name } })));
}

export function useDeleteMarker() {
  return useListChange(markersKey, (id: number) => unwrap(api.DELETE('/api/v1/ticket-markers/{id}', { params: { path: { id } } })));
}

// ---- Calendars, SLA policies, thresholds, timers ----

export function useCalendars() {
  return useQuery({
    queryKey: calendarsKey,
    queryFn: () => unwrap(api.GET('/api/v1/calendars')).then((list) => list.items),
  });
}

export function useSaveCalendar() {
  return useListChange(calendarsKey, ({ id, body }: Save<SaveCalendar>) =>
    id === null
      ? unwrap(api.POST('/api/v1/calendars', { body }))
      : unwrap(api.PUT('/api/v1/calendars/{id}', { params: { path: { id } }, body })),
  );
}

export function useDeleteCalendar() {
  return useListChange(calendarsKey, (id: number) => unwrap(api.DELETE('/api/v1/calendars/{id}', { params: { path: { id } } })));
}

export function useImportHolidays() {
  return useListChange(calendarsKey, ({ id, body }: { id: number; body: ImportHolidays }) =>
    unwrap(api.POST('/api/v1/calendars/{id}/holidays', { params: { path: { id } }, body })),
  );
}

export function usePolicies() {
  return useQuery({
    queryKey: policiesKey,
    queryFn: () => unwrap(api.GET('/api/v1/sla/policies')).then((list) => list.items),
  });
}

export function useSavePolicy() {
  return useListChange(policiesKey, ({ id, body }: Save<SavePolicy>) =>
    id === null
      ? unwrap(api.POST('/api/v1/sla/policies', { body }))
      : unwrap(api.PUT('/api/v1/sla/policies/{id}', { params: { path: { id } }, body })),
  );
}

export function useDeletePolicy() {
  return useListChange(policiesKey, (id: number) => unwrap(api.DELETE('/api/v1/sla/policies/{id}', { params: { path: { id } } })));
}

export function useThresholdSettings() {
  return useQuery({
    queryKey: thresholdSettingsKey,
    queryFn: () => unwrap(api.GET('/api/v1/sla/threshold-settings')),
  });
}

export function usePutThresholdSettings() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: object) => unwrap(api.PUT('/api/v1/sla/threshold-settings', { body: toOpenObject(body) })),
    onSuccess: (settings) => queryClient.setQueryData(thresholdSettingsKey, settings),
  });
}

export function useThresholds() {
  return useQuery({
    queryKey: thresholdsKey,
    queryFn: () => unwrap(api.GET('/api/v1/sla/thresholds')).then((list) => list.items),
  });
}

export function useRefreshThresholds() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/sla/thresholds/refresh')).then((list) => list.items),
    onSuccess: (items) => queryClient.setQueryData(thresholdsKey, items),
  });
}

/** Dead (or pending) timers, newest first, a page at a time. */
export function useTimers(status: 'dead' | 'pending') {
  return useInfiniteQuery({
    queryKey: timersKey(status),
    initialPageParam: undefined as number | undefined,
    queryFn: ({ pageParam }) => unwrap(api.GET('/api/v1/timers', { params: { query: { status, before: pageParam, limit: PAGE } } })),
    getNextPageParam: (page) => page.next_before ?? undefined,
  });
}

export function useRerunTimer() {
  return useListChange(['timers'], (id: number) => unwrap(api.POST('/api/v1/timers/{id}/rerun', { params: { path: { id } } })));
}
