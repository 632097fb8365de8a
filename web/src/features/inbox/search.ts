// The inbox's search: what the box holds, the query in the URL (`?q=`), and the order of results.

import { useCallback, useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useDebounced } from '../notifications/useDebounced';
import type { Conversation } from '../../api/types';

/** The server takes 1 to 100 characters (after trimming). */
export const SEARCH_MAX_CHARS = 100;
/** Typing settles for this long before the search goes out. */
export const SEARCH_DELAY_MS = 300;
const PARAM = 'q';

/** Characters as the server counts them (code points), after trimming. */
export function searchLength(text: string): number {
  return Array.from(text.trim()).length;
}

/** The text to send, or null for "no search" (empty) and for text the server would refuse. */
export function validSearch(text: string): string | null {
  const q = text.trim();
  const n = searchLength(q);
  return n >= 1 && n <= SEARCH_MAX_CHARS ? q : null;
}

export interface InboxSearch {
  /** What the box shows (as typed). */
  draft: string;
  onDraft: (text: string) => void;
  /** Empties the box and ends the search at once. */
  clear: () => void;
  /** An input method is composing (pinyin): nothing is sent until it ends. */
  setComposing: (composing: boolean) => void;
  /** The search in effect (from the URL), or null: the normal list. */
  query: string | null;
  /** The box holds more than the server takes: nothing is sent. */
  tooLong: boolean;
  /** `?q=…` (or ''): links within the inbox keep the search. */
  urlSearch: string;
}

/**
 * The search box's state. The settled query lives in the URL, so it survives a reload and
 * back/forward: starting or ending a search adds a history entry, refining it replaces the entry.
 */
export function useInboxSearch(): InboxSearch {
  const [params, setParams] = useSearchParams();
  const inUrl = params.get(PARAM) ?? '';
  const [draft, setDraft] = useState(inUrl);
  const [composing, setComposing] = useState(false);
  // The last value this hook put in the URL (or took from it): other changes come from navigation.
  const known = useRef(inUrl);

  useEffect(() => {
    if (inUrl === known.current) return;
    known.current = inUrl;
    setDraft(inUrl);
  }, [inUrl]);

  const commit = useCallback(
    (text: string) => {
      const q = text.trim();
      if (q === known.current || searchLength(q) > SEARCH_MAX_CHARS) return;
      const replace = known.current !== '' && q !== '';
      known.current = q;
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          if (q) next.set(PARAM, q);
          else next.delete(PARAM);
          return next;
        },
        { replace },
      );
    },
    [setParams],
  );

  const settled = useDebounced(draft, SEARCH_DELAY_MS);
  useEffect(() => {
    if (!composing && settled === draft) commit(settled);
    // Only a settled draft (or the end of a composition) is sent; URL changes are not echoed back.
  }, [settled, composing]);

  const onDraft = (text: string) => {
    setDraft(text);
    // An emptied box is no search, without waiting.
    if (text.trim() === '') commit('');
  };
  const clear = () => {
    setDraft('');
    commit('');
  };

  const query = validSearch(inUrl);
  return {
    draft,
    onDraft,
    clear,
    setComposing,
    query,
    tooLong: searchLength(draft) > SEARCH_MAX_CHARS,
    urlSearch: query === null ? '' : `?${new URLSearchParams({ [PARAM]: query }).toString()}`,
  };
}

function time(value: string): number {
  const t = Date.parse(value);
  return Number.isNaN(t) ? 0 : t;
}

/**
 * Search results in the order an agent reads them: the conversation whose number was asked for
 * first, then newest activity first (as the list is).
 */
export function orderResults(items: Conversation[], q: string): Conversation[] {
  const asNumber = /^#?\d+$/.test(q) ? Number(q.replace('#', '')) : null;
  const exact = (c: Conversation) => (c.number === asNumber ? 1 : 0);
  return [...items].sort((a, b) => exact(b) - exact(a) || time(b.updated_at) - time(a.updated_at) || b.id - a.id);
}
