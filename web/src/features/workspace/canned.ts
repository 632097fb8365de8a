import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { CannedResponse } from '../../api/types';

export const cannedKey = ['canned-responses'] as const;

/** The account's canned responses (a short list: fetched once, filtered as the agent types). */
export function useCannedResponses(enabled: boolean) {
  return useQuery({
    queryKey: cannedKey,
    enabled,
    staleTime: 60_000,
    queryFn: async () => (await unwrap(api.GET('/api/v1/canned-responses'))).items,
  });
}

/** A canned response with its variables filled in for the conversation (contact, agent, …). */
export async function renderCanned(conversationId: number, cannedId: number): Promise<string> {
  const rendered = await unwrap(
    api.POST('/api/v1/conversations/{id}/canned-responses/{canned_id}/render', {
      params: { path: { id: conversationId, canned_id: cannedId } },
    }),
  );
  return rendered.text;
}

/** The short-code prefix being typed: the whole text is "/" and a code, nothing else yet. */
export function slashPrefix(text: string): string | null {
  const match = /^\/(\S*)$/.exec(text);
  return match ? match[1] : null;
}

/** Responses whose short code starts with `prefix` (case-insensitive), exact and shorter codes first. */
export function matchCanned(items: CannedResponse[], prefix: string): CannedResponse[] {
  const p = prefix.toLowerCase();
  return items
    .filter((c) => c.short_code.toLowerCase().startsWith(p))
    .sort((a, b) => a.short_code.length - b.short_code.length || a.short_code.localeCompare(b.short_code));
}
