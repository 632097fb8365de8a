import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, collectPages, collectPagesUpTo, unwrap } from '../../api/client';
import type { Attachment, Conversation, ConversationDetail, ContactProfile, Message, Transfer, UpdateConversation } from '../../api/types';
import { listQuery, type ListFilter } from './inboxState';

export const conversationsKey = ['conversations'] as const;
export const conversationListKey = (filter: ListFilter) => ['conversations', 'list', filter.tab, filter.status] as const;
export const conversationSearchKey = (filter: ListFilter, q: string) =>
  ['conversations', 'search', filter.tab, filter.status, q] as const;
export const conversationKey = (id: number) => ['conversations', 'detail', id] as const;
export const contactConversationsKey = (contactId: number) => ['conversations', 'contact', contactId] as const;
export const contactKey = (id: number) => ['contacts', id] as const;

/** One list of the inbox, with the moment it was asked for (to tell it from newer live frames). */
export function useConversationList(filter: ListFilter) {
  return useQuery({
    queryKey: conversationListKey(filter),
    staleTime: 0,
    // Live frames keep the list current; a conversation that stops being visible to this agent
    // (assigned to someone else) gets no frame, so the list is also asked for again now and then.
    refetchInterval: 60_000,
    queryFn: async () => {
      const requestedAt = Date.now();
      const items = await collectPages((cursor) =>
        unwrap(api.GET('/api/v1/conversations', { params: { query: { ...listQuery(filter), cursor, limit: 200 } } })),
      );
      return { items, requestedAt };
    },
  });
}

/** Results a search asks for page by page; past this many the list says "N+". */
export const SEARCH_PAGE_SIZE = 200;
export const SEARCH_MAX_PAGES = 5;

/**
 * The conversations matching `q` in a list filter's slice (null: no search). Results are a
 * snapshot (live frames update the rows' state, not which rows match): asked for again now and
 * then, and on reconnects with the other lists. While a search is refined, the previous results
 * stay until the new ones arrive.
 */
export function useConversationSearch(filter: ListFilter, q: string | null) {
  return useQuery({
    queryKey: conversationSearchKey(filter, q ?? ''),
    enabled: q !== null,
    staleTime: 0,
    refetchInterval: 60_000,
    placeholderData: (previous, previousQuery) => {
      const key = previousQuery?.queryKey;
      return key && key[4] !== '' && key[2] === filter.tab && key[3] === filter.status ? previous : undefined;
    },
    queryFn: () =>
      collectPagesUpTo(
        (cursor) =>
          unwrap(
            api.GET('/api/v1/conversations', {
              params: { query: { ...listQuery(filter), q: q ?? '', cursor, limit: SEARCH_PAGE_SIZE } },
            }),
          ),
        SEARCH_MAX_PAGES,
      ),
  });
}

export function useConversation(id: number | null) {
  return useQuery({
    queryKey: conversationKey(id ?? 0),
    enabled: id !== null,
    queryFn: () => unwrap(api.GET('/api/v1/conversations/{id}', { params: { path: { id: id ?? 0 } } })),
  });
}

/** Puts a newer state of a conversation into its cached detail, keeping the tags. */
export function patchConversationDetail(queryClient: QueryClient, conversation: Conversation): void {
  queryClient.setQueryData<ConversationDetail>(conversationKey(conversation.id), (detail) =>
    detail ? { ...detail, ...conversation, tags: detail.tags } : detail,
  );
}

export function useContactConversations(contactId: number | null) {
  return useQuery({
    queryKey: contactConversationsKey(contactId ?? 0),
    enabled: contactId !== null,
    queryFn: () =>
      collectPages((cursor) =>
        unwrap(
          api.GET('/api/v1/conversations', { params: { query: { contact_id: contactId ?? 0, cursor, limit: 200 } } }),
        ),
      ),
  });
}

export function useContact(id: number | null) {
  return useQuery({
    queryKey: contactKey(id ?? 0),
    enabled: id !== null,
    staleTime: 60_000,
    queryFn: () => unwrap(api.GET('/api/v1/contacts/{id}', { params: { path: { id: id ?? 0 } } })),
  });
}

/** Messages after `afterSeq`, following pages until the newest. */
export async function fetchMessagesAfter(conversationId: number, afterSeq: number, pageSize = 100): Promise<Message[]> {
  const out: Message[] = [];
  let after = afterSeq;
  for (;;) {
    const page = await unwrap(
      api.GET('/api/v1/conversations/{id}/messages', {
        params: { path: { id: conversationId }, query: { after_seq: after, limit: pageSize } },
      }),
    );
    out.push(...page.items);
    if (page.items.length < pageSize) return out;
    after = page.items[page.items.length - 1].seq;
  }
}

/** One page of messages (`limit` of them after `afterSeq`). */
export async function fetchMessagePage(conversationId: number, afterSeq: number, limit: number): Promise<Message[]> {
  const page = await unwrap(
    api.GET('/api/v1/conversations/{id}/messages', {
      params: { path: { id: conversationId }, query: { after_seq: afterSeq, limit } },
    }),
  );
  return page.items;
}

export function uploadAttachment(file: File): Promise<Attachment> {
  return unwrap(
    api.POST('/api/v1/attachments', {
      // The generated body type describes the multipart field; the browser sends the FormData.
      body: { file: '' },
      bodySerializer: () => {
        const form = new FormData();
        form.append('file', file, file.name);
        return form;
      },
    }),
  );
}

export function useUpdateConversation(onChanged: (conversation: Conversation) => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: number; body: UpdateConversation }) =>
      unwrap(api.PATCH('/api/v1/conversations/{id}', { params: { path: { id } }, body })),
    onSuccess: (conversation) => {
      patchConversationDetail(queryClient, conversation);
      onChanged(conversation);
      void queryClient.invalidateQueries({ queryKey: contactConversationsKey(conversation.contact_id) });
    },
  });
}

export function useTransfer(onChanged: (conversation: Conversation) => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: number; body: Transfer }) =>
      unwrap(api.POST('/api/v1/conversations/{id}/transfer', { params: { path: { id } }, body })),
    onSuccess: (conversation) => {
      patchConversationDetail(queryClient, conversation);
      onChanged(conversation);
    },
  });
}

export function useConversationTag(conversationId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ tag, on }: { tag: string; on: boolean }) => {
      const params = { params: { path: { id: conversationId, tag } } };
      return unwrap(
        on
          ? api.PUT('/api/v1/conversations/{id}/tags/{tag}', params)
          : api.DELETE('/api/v1/conversations/{id}/tags/{tag}', params),
      );
    },
    onSuccess: ({ tags }) =>
      queryClient.setQueryData<ConversationDetail>(conversationKey(conversationId), (detail) =>
        detail ? { ...detail, tags } : detail,
      ),
  });
}

export function useContactTag(contactId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ tag, on }: { tag: string; on: boolean }) => {
      const params = { params: { path: { id: contactId, tag } } };
      return unwrap(
        on ? api.PUT('/api/v1/contacts/{id}/tags/{tag}', params) : api.DELETE('/api/v1/contacts/{id}/tags/{tag}', params),
      );
    },
    onSuccess: ({ tags }) =>
      queryClient.setQueryData<ContactProfile>(contactKey(contactId), (contact) => (contact ? { ...contact, tags } : contact)),
  });
}
