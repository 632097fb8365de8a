import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { AUDIT_GROUPS, type AuditWhat } from './describe';

/** Entries asked for at a time. */
export const AUDIT_PAGE = 50;

/** The trail's filters as the page keeps them (and the URL holds them). */
export interface AuditFilter {
  actorId: number | null;
  what: AuditWhat | null;
}

/** The query parameters a filter sends: `actor_id`, and `kind` (a group's kinds) or `area`. */
export function auditQuery(filter: AuditFilter): { actor_id?: number; kind?: string; area?: string } {
  const query: { actor_id?: number; kind?: string; area?: string } = {};
  if (filter.actorId !== null) query.actor_id = filter.actorId;
  if (filter.what && 'group' in filter.what) query.kind = AUDIT_GROUPS[filter.what.group].join(',');
  if (filter.what && 'area' in filter.what) query.area = filter.what.area;
  return query;
}

export const auditKey = (filter: AuditFilter) => ['audit-log', auditQuery(filter)] as const;

/** The audit trail, newest first, a page at a time (`before` the previous page's `next_before`). */
export function useAuditLog(filter: AuditFilter, enabled = true) {
  return useInfiniteQuery({
    queryKey: auditKey(filter),
    enabled,
    placeholderData: keepPreviousData,
    initialPageParam: undefined as number | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/audit-log', {
          params: {
            query: { ...auditQuery(filter), limit: AUDIT_PAGE, ...(pageParam !== undefined ? { before: pageParam } : {}) },
          },
        }),
      ),
    getNextPageParam: (page) => page.next_before ?? undefined,
  });
}
