import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { asArray, asNumber, asObject, asString, toOpenObject } from '../../api/open';
import type { AutomationRuleInput } from '../todos/types';

export const rulesKey = ['automation', 'rules'] as const;
export const runsKey = (id: number) => ['automation', 'runs', id] as const;

export type RuleRun = { id: number; subject: string; contact_id: number | null; outcome: string; reason: string | null; created_at: number };
export type RuleScan = {
  id: number;
  started_at: number;
  took_ms: number;
  contacts: number;
  matched: number;
  created: number;
  suppressed: number;
  skipped: number;
};

export function useAutomationRules() {
  return useQuery({
    queryKey: rulesKey,
    queryFn: () => unwrap(api.GET('/api/v1/automation/rules')).then((list) => list.items),
  });
}

/** The body as the generated schema types it (open objects). */
function openBody(body: Record<string, unknown> & { name: string }): AutomationRuleInput {
  return {
    ...(body as object),
    name: body.name,
    trigger: toOpenObject(asObject(body.trigger)),
    conditions: toOpenObject(asObject(body.conditions)),
    actions: asArray(body.actions).map((a) => toOpenObject(asObject(a))),
  } as AutomationRuleInput;
}

export function useSaveRule() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: number | null; body: Record<string, unknown> & { name: string } }) =>
      id === null
        ? unwrap(api.POST('/api/v1/automation/rules', { body: openBody(body) }))
        : unwrap(api.PUT('/api/v1/automation/rules/{id}', { params: { path: { id } }, body: openBody(body) })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: rulesKey });
      void queryClient.invalidateQueries({ queryKey: ['automation', 'buttons'] });
    },
  });
}

export function useDeleteRule() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => unwrap(api.DELETE('/api/v1/automation/rules/{id}', { params: { path: { id } } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: rulesKey });
      void queryClient.invalidateQueries({ queryKey: ['automation', 'buttons'] });
    },
  });
}

/** A rule's latest runs (done, skipped with the failing condition, suppressed) and scans. */
export function useRuleRuns(id: number | null) {
  return useQuery({
    queryKey: runsKey(id ?? 0),
    enabled: id !== null,
    queryFn: () =>
      unwrap(api.GET('/api/v1/automation/rules/{id}/runs', { params: { path: { id: id ?? 0 } } })).then((raw) => {
        const o = asObject(raw);
        return {
          runs: asArray(o.runs).map((r): RuleRun => {
            const x = asObject(r);
            return {
              id: asNumber(x.id) ?? 0,
              subject: asString(x.subject),
              contact_id: asNumber(x.contact_id),
              outcome: asString(x.outcome),
              reason: typeof x.reason === 'string' ? x.reason : null,
              created_at: asNumber(x.created_at) ?? 0,
            };
          }),
          scans: asArray(o.scans).map((s): RuleScan => {
            const x = asObject(s);
            const n = (k: string) => asNumber(x[k]) ?? 0;
            return {
              id: n('id'),
              started_at: n('started_at'),
              took_ms: n('took_ms'),
              contacts: n('contacts'),
              matched: n('matched'),
              created: n('created'),
              suppressed: n('suppressed'),
              skipped: n('skipped'),
            };
          }),
        };
      }),
  });
}

/** Runs a customer-state rule over every contact now, or (dry run) only counts. */
export function useScanRule() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, dryRun }: { id: number; dryRun: boolean }) =>
      unwrap(api.POST('/api/v1/automation/rules/{id}/scan', { params: { path: { id }, query: { dry_run: dryRun } } })),
    onSuccess: (_report, { id }) => {
      void queryClient.invalidateQueries({ queryKey: runsKey(id) });
      void queryClient.invalidateQueries({ queryKey: rulesKey });
    },
  });
}
