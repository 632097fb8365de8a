import type { Role } from '../../api/types';

export const ROLES: readonly Role[] = ['owner', 'admin', 'supervisor', 'agent'];

const RANK: Record<Role, number> = { owner: 4, admin: 3, supervisor: 2, agent: 1 };

/** Admins and owners manage users and teams. */
export function canManage(role: Role): boolean {
  return RANK[role] >= RANK.admin;
}

/** Supervisors and above see the routing set-up, the queue and every agent's state. */
export function canSupervise(role: Role): boolean {
  return RANK[role] >= RANK.supervisor;
}

/** Nobody grants a role above their own. */
export function assignableRoles(actor: Role): Role[] {
  return ROLES.filter((role) => RANK[role] <= RANK[actor]);
}

/** Nobody edits a user whose role is above their own. */
export function canEditUser(actor: Role, target: Role): boolean {
  return canManage(actor) && RANK[target] <= RANK[actor];
}
