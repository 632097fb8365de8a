import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, collectPages, unwrap } from '../../api/client';
import type { CreateTeam, UpdateTeam } from '../../api/types';

export const teamsKey = ['teams'] as const;
const membersKey = (teamId: number) => ['teams', teamId, 'members'] as const;

export function useTeams() {
  return useQuery({
    queryKey: teamsKey,
    queryFn: () =>
      collectPages((cursor) => unwrap(api.GET('/api/v1/teams', { params: { query: { cursor, limit: 200 } } }))),
  });
}

export function useCreateTeam() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateTeam) => unwrap(api.POST('/api/v1/teams', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: teamsKey }),
  });
}

export function useUpdateTeam() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: number; body: UpdateTeam }) =>
      unwrap(api.PATCH('/api/v1/teams/{id}', { params: { path: { id } }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: teamsKey }),
  });
}

export function useDeleteTeam() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => unwrap(api.DELETE('/api/v1/teams/{id}', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: teamsKey }),
  });
}

export function useTeamMembers(teamId: number | null) {
  return useQuery({
    queryKey: membersKey(teamId ?? 0),
    enabled: teamId !== null,
    queryFn: () =>
      collectPages((cursor) =>
        unwrap(
          api.GET('/api/v1/teams/{id}/members', {
            params: { path: { id: teamId ?? 0 }, query: { cursor, limit: 200 } },
          }),
        ),
      ),
  });
}

/** Membership changes move the member count shown in the teams table too. */
export function useAddTeamMember(teamId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (userId: number) =>
      unwrap(api.PUT('/api/v1/teams/{id}/members/{user_id}', { params: { path: { id: teamId, user_id: userId } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: teamsKey }),
  });
}

export function useRemoveTeamMember(teamId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (userId: number) =>
      unwrap(
        api.DELETE('/api/v1/teams/{id}/members/{user_id}', { params: { path: { id: teamId, user_id: userId } } }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: teamsKey }),
  });
}
