import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useUsers } from '../users/queries';
import { useTeams } from '../teams/queries';

export type Directory = {
  agent: (id: number) => string;
  team: (id: number) => string;
};

/** Agent and team names by id (a placeholder with the id while loading or when unknown). */
export function useDirectory(): Directory {
  const { t } = useTranslation();
  const users = useUsers();
  const teams = useTeams();
  return useMemo(() => {
    const userNames = new Map((users.data ?? []).map((u) => [u.id, u.name]));
    const teamNames = new Map((teams.data ?? []).map((team) => [team.id, team.name]));
    return {
      agent: (id: number) => userNames.get(id) ?? t('routing.trace.agentN', { id }),
      team: (id: number) => teamNames.get(id) ?? t('routing.trace.teamN', { id }),
    };
  }, [users.data, teams.data, t]);
}
