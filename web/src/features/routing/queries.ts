import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { toOpenObject } from '../../api/open';
import type {
  AgentState,
  PatchAgent,
  PatchSettings,
  SaveRule,
  SimulateRequest,
  StatusName,
  TeamRouting,
} from '../../api/types';

export const routingKey = ['routing'] as const;
export const fieldsKey = ['routing', 'fields'] as const;
export const rulesKey = ['routing', 'rules'] as const;
export const routingSettingsKey = ['routing', 'settings'] as const;
export const queueKey = ['routing', 'queue'] as const;
export const agentsKey = ['routing', 'agents'] as const;
export const teamRoutingKey = (teamId: number) => ['routing', 'teams', teamId] as const;
export const decisionsKey = (conversationId: number) => ['routing', 'decisions', conversationId] as const;

/** The condition field catalogue; it changes only with the server version. */
export function useRoutingFields() {
  return useQuery({
    queryKey: fieldsKey,
    staleTime: Infinity,
    queryFn: () => unwrap(api.GET('/api/v1/routing/fields')).then((list) => list.items),
  });
}

/** Rules in evaluation order (by position, then id, as the server lists them). */
export function useRules() {
  return useQuery({
    queryKey: rulesKey,
    queryFn: () => unwrap(api.GET('/api/v1/routing/rules')).then((list) => list.items),
  });
}

export function useCreateRule() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: SaveRule) => unwrap(api.POST('/api/v1/routing/rules', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: rulesKey }),
  });
}

/** Replaces a rule; the caller invalidates (a reorder is several of these in a row). */
export function useReplaceRule() {
  return useMutation({
    mutationFn: ({ id, body }: { id: number; body: SaveRule }) =>
      unwrap(api.PUT('/api/v1/routing/rules/{id}', { params: { path: { id } }, body })),
  });
}

export function useDeleteRule() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => unwrap(api.DELETE('/api/v1/routing/rules/{id}', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: rulesKey }),
  });
}

export function useRoutingSettings() {
  return useQuery({
    queryKey: routingSettingsKey,
    queryFn: () => unwrap(api.GET('/api/v1/routing/settings')),
  });
}

export function useUpdateRoutingSettings() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: PatchSettings) => unwrap(api.PATCH('/api/v1/routing/settings', { body })),
    onSuccess: (settings) => queryClient.setQueryData(routingSettingsKey, settings),
  });
}

/** Conversations waiting for an agent; polled while shown. */
export function useQueue() {
  return useQuery({
    queryKey: queueKey,
    staleTime: 0,
    refetchInterval: 5000,
    queryFn: () => unwrap(api.GET('/api/v1/routing/queue')).then((list) => list.items),
  });
}

/** Every agent's routing state. Also read by the status switch in the header, so polled slowly. */
export function useAgents({ poll = false }: { poll?: boolean } = {}) {
  return useQuery({
    queryKey: agentsKey,
    refetchInterval: poll ? 60_000 : false,
    queryFn: () => unwrap(api.GET('/api/v1/agents')).then((list) => list.items),
  });
}

function replaceAgent(agents: AgentState[] | undefined, agent: AgentState): AgentState[] | undefined {
  return agents?.map((a) => (a.user_id === agent.user_id ? agent : a));
}

export function useUpdateAgent() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: number; body: PatchAgent }) =>
      unwrap(api.PATCH('/api/v1/agents/{id}', { params: { path: { id } }, body })),
    onSuccess: (agent) => {
      queryClient.setQueryData<AgentState[]>(agentsKey, (agents) => replaceAgent(agents, agent));
      void queryClient.invalidateQueries({ queryKey: queueKey });
    },
  });
}

export function useSetMyStatus() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (status: StatusName) => unwrap(api.PUT('/api/v1/me/status', { body: { status } })),
    onSuccess: (agent) => {
      queryClient.setQueryData<AgentState[]>(agentsKey, (agents) => replaceAgent(agents, agent));
      void queryClient.invalidateQueries({ queryKey: queueKey });
    },
  });
}

export function useSimulate() {
  return useMutation({
    mutationFn: ({ facts, ...rest }: Omit<SimulateRequest, 'facts'> & { facts: Record<string, unknown> }) =>
      unwrap(api.POST('/api/v1/routing/simulate', { body: { ...rest, facts: toOpenObject(facts) } })),
  });
}

/** Each team's capacity and overflow set-up, one request per team. */
export function useTeamsRouting(teamIds: number[]) {
  return useQueries({
    queries: teamIds.map((id) => ({
      queryKey: teamRoutingKey(id),
      queryFn: () => unwrap(api.GET('/api/v1/teams/{id}/routing', { params: { path: { id } } })),
    })),
  });
}

export function useSetTeamRouting() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: number; body: TeamRouting }) =>
      unwrap(api.PUT('/api/v1/teams/{id}/routing', { params: { path: { id } }, body })),
    onSuccess: (value, { id }) => queryClient.setQueryData(teamRoutingKey(id), value),
  });
}

/** The routing decisions about one conversation, oldest first. */
export function useConversationRouting(conversationId: number) {
  return useQuery({
    queryKey: decisionsKey(conversationId),
    queryFn: () =>
      unwrap(api.GET('/api/v1/conversations/{id}/routing', { params: { path: { id: conversationId } } })).then(
        (list) => list.items,
      ),
  });
}
