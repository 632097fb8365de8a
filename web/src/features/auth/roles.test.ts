import { describe, expect, it } from 'vitest';
import { assignableRoles, canEditUser, canManage, canSupervise } from './roles';

describe('roles', () => {
  it('lets only admins and owners manage', () => {
    expect(canManage('owner')).toBe(true);
    expect(canManage('admin')).toBe(true);
    expect(canManage('supervisor')).toBe(false);
    expect(canManage('agent')).toBe(false);
  });

  it('lets supervisors and above supervise', () => {
    expect(canSupervise('owner')).toBe(true);
    expect(canSupervise('supervisor')).toBe(true);
    expect(canSupervise('agent')).toBe(false);
  });

  it('never offers a role above the actor', () => {
    expect(assignableRoles('admin')).toEqual(['admin', 'supervisor', 'agent']);
    expect(assignableRoles('owner')).toEqual(['owner', 'admin', 'supervisor', 'agent']);
  });

  it('does not let an admin edit an owner', () => {
    expect(canEditUser('admin', 'owner')).toBe(false);
    expect(canEditUser('admin', 'admin')).toBe(true);
    expect(canEditUser('owner', 'owner')).toBe(true);
    expect(canEditUser('supervisor', 'agent')).toBe(false);
  });
});
