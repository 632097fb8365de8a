import { useMemo, useState } from 'react';
import { App as AntApp, Button, Drawer, Empty, Flex, Popconfirm, Select, Table, Typography } from 'antd';
import { DeleteOutlined, UserAddOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useAddTeamMember, useRemoveTeamMember, useTeamMembers } from './queries';
import { useUsers } from '../users/queries';
import { RoleTag } from '../users/RoleTag';
import { UserAvatar } from '../users/UserAvatar';
import { describeError } from '../../api/errorText';
import { formatDate } from '../../i18n/format';
import type { Team, TeamMember } from '../../api/types';

/** Members of one team; admins add and remove them here. */
export function TeamMembersDrawer({ team, canEdit, onClose }: { team: Team | null; canEdit: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const teamId = team?.id ?? null;
  return (
    <Drawer
      open={team !== null}
      onClose={onClose}
      size={520}
      title={team ? t('teams.membersOf', { name: team.name }) : ''}
      destroyOnHidden
    >
      {teamId !== null && <MembersBody teamId={teamId} canEdit={canEdit} />}
    </Drawer>
  );
}

function MembersBody({ teamId, canEdit }: { teamId: number; canEdit: boolean }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const members = useTeamMembers(teamId);
  const users = useUsers();
  const add = useAddTeamMember(teamId);
  const remove = useRemoveTeamMember(teamId);
  const [selected, setSelected] = useState<number | null>(null);

  const candidates = useMemo(() => {
    const inTeam = new Set((members.data ?? []).map((m) => m.user.id));
    return (users.data ?? []).filter((u) => u.active && !inTeam.has(u.id));
  }, [members.data, users.data]);

  const onAdd = () => {
    if (selected === null) return;
    add.mutate(selected, {
      onSuccess: (member) => {
        void message.success(t('teams.memberAdded', { name: member.user.name }));
        setSelected(null);
        void members.refetch();
      },
      onError: (error) => void message.error(describeError(t, error)),
    });
  };

  const onRemove = (userId: number, name: string) =>
    remove.mutateAsync(userId).then(
      () => {
        void message.success(t('teams.memberRemoved', { name }));
        void members.refetch();
      },
      (error: unknown) => void message.error(describeError(t, error)),
    );

  return (
    <Flex vertical gap={16}>
      {canEdit && (
        <Flex gap={8}>
          <Select<number>
            showSearch={{ optionFilterProp: 'label' }}
            style={{ flex: 1 }}
            placeholder={t('teams.pickUser')}
            aria-label={t('teams.pickUser')}
            value={selected ?? undefined}
            onChange={setSelected}
            loading={users.isPending}
            options={candidates.map((u) => ({ value: u.id, label: `${u.name} <${u.email}>` }))}
            notFoundContent={t('teams.noCandidates')}
          />
          <Button type="primary" icon={<UserAddOutlined />} disabled={selected === null} loading={add.isPending} onClick={onAdd}>
            {t('teams.addMember')}
          </Button>
        </Flex>
      )}
      <Table<TeamMember>
        rowKey={(member) => member.user.id}
        size="small"
        showHeader={false}
        pagination={false}
        loading={members.isPending}
        dataSource={members.data ?? []}
        locale={{
          emptyText: members.isError ? (
            describeError(t, members.error)
          ) : (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('teams.noMembers')} />
          ),
        }}
        columns={[
          {
            key: 'member',
            render: (_, member) => (
              <Flex vertical gap={2} style={{ minWidth: 0, padding: '4px 0' }}>
                <Flex align="center" gap={8}>
                  <UserAvatar id={member.user.id} name={member.user.name} />
                  <RoleTag role={member.user.role} />
                </Flex>
                <Typography.Text type="secondary" style={{ fontSize: 12, paddingLeft: 38 }}>
                  {member.user.email} · {t('teams.addedAt', { date: formatDate(member.added_at) })}
                </Typography.Text>
              </Flex>
            ),
          },
          ...(canEdit
            ? [
                {
                  key: 'remove',
                  width: 48,
                  align: 'right' as const,
                  render: (_: unknown, member: TeamMember) => (
                    <Popconfirm
                      title={t('teams.removeConfirm', { name: member.user.name })}
                      okText={t('teams.removeMember')}
                      okButtonProps={{ danger: true }}
                      cancelText={t('common.cancel')}
                      onConfirm={() => onRemove(member.user.id, member.user.name)}
                    >
                      <Button
                        type="text"
                        size="small"
                        danger
                        icon={<DeleteOutlined />}
                        aria-label={t('teams.removeNamed', { name: member.user.name })}
                      />
                    </Popconfirm>
                  ),
                },
              ]
            : []),
        ]}
      />
    </Flex>
  );
}
