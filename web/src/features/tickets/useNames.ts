import { useTranslation } from 'react-i18next';
import { useUsers } from '../users/queries';
import { useTeams } from '../teams/queries';
import { useCurrentSession } from '../auth/session';
import { stateName, type Workflow } from './workflow';
import type { Names } from './timeline';

/** Names for the user, team and state ids a ticket and its timeline carry. */
export function useNames(workflow: Workflow | undefined): Names {
  const { t } = useTranslation();
  const users = useUsers();
  const teams = useTeams();
  const { account } = useCurrentSession();
  return {
    user: (id) => (id === null ? t('tickets.system') : (users.data?.find((u) => u.id === id)?.name ?? `#${id}`)),
    team: (id) => (id === null ? t('tickets.noTeam') : (teams.data?.find((x) => x.id === id)?.name ?? `#${id}`)),
    state: (key) => stateName(workflow, key),
    timeZone: account.timezone,
  };
}
