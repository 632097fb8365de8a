import { useState } from 'react';
import { App as AntApp, Button, Card, Popconfirm, Space, Table, Tooltip, Typography, type TableProps } from 'antd';
import { DeleteOutlined, EditOutlined, PlusOutlined, UsergroupAddOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useDeleteTeam, useTeams } from './queries';
import { TeamFormModal } from './TeamFormModal';
import { TeamMembersDrawer } from './TeamMembersDrawer';
import { useCurrentSession } from '../auth/session';
import { canManage } from '../auth/roles';
import { PageHeader } from '../layout/PageHeader';
import { describeError } from '../../api/errorText';
import { formatDateTime } from '../../i18n/format';
import type { Team } from '../../api/types';

type Editing = { open: false } | { open: true; team: Team | null };

export default function TeamsPage() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const { user: me } = useCurrentSession();
  const teams = useTeams();
  const remove = useDeleteTeam();
  const [editing, setEditing] = useState<Editing>({ open: false });
  const [membersOf, setMembersOf] = useState<number | null>(null);
  const admin = canManage(me.role);
  const drawerTeam = teams.data?.find((team) => team.id === membersOf) ?? null;

  const onDelete = (team: Team) =>
    remove.mutateAsync(team.id).then(
      () => void message.success(t('teams.deleted', { name: team.name })),
      (error: unknown) => void message.error(describeError(t, error)),
    );

  const columns: TableProps<Team>['columns'] = [
    {
      title: t('teams.fields.name'),
      dataIndex: 'name',
      sorter: (a, b) => a.name.localeCompare(b.name),
      render: (_, team) => (
        <Typography.Link strong onClick={() => setMembersOf(team.id)}>
          {team.name}
        </Typography.Link>
      ),
    },
    {
      title: t('teams.fields.description'),
      dataIndex: 'description',
      ellipsis: true,
      render: (_, team) =>
        team.description ? team.description : <Typography.Text type="secondary">—</Typography.Text>,
    },
    {
      title: t('teams.fields.memberCount'),
      dataIndex: 'member_count',
      width: 110,
      align: 'right',
      sorter: (a, b) => a.member_count - b.member_count,
    },
    {
      title: t('teams.fields.createdAt'),
      dataIndex: 'created_at',
      width: 190,
      render: (_, team) => formatDateTime(team.created_at),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      width: admin ? 130 : 70,
      align: 'right',
      render: (_, team) => (
        <Space size={4}>
          <Tooltip title={t('teams.members')}>
            <Button
              type="text"
              size="small"
              icon={<UsergroupAddOutlined />}
              aria-label={t('teams.membersNamed', { name: team.name })}
              onClick={() => setMembersOf(team.id)}
            />
          </Tooltip>
          {admin && (
            <Tooltip title={t('common.edit')}>
              <Button
                type="text"
                size="small"
                icon={<EditOutlined />}
                aria-label={t('teams.editNamed', { name: team.name })}
                onClick={() => setEditing({ open: true, team })}
              />
            </Tooltip>
          )}
          {admin && (
            <Popconfirm
              title={t('teams.deleteConfirmTitle', { name: team.name })}
              description={t('teams.deleteConfirm')}
              okText={t('common.delete')}
              okButtonProps={{ danger: true }}
              cancelText={t('common.cancel')}
              onConfirm={() => onDelete(team)}
            >
              <Tooltip title={t('common.delete')}>
                <Button
                  type="text"
                  size="small"
                  danger
                  icon={<DeleteOutlined />}
                  aria-label={t('teams.deleteNamed', { name: team.name })}
                />
              </Tooltip>
            </Popconfirm>
          )}
        </Space>
      ),
    },
  ];

  return (
    <>
      <PageHeader
        title={t('teams.title')}
        description={t('teams.description')}
        extra={
          admin && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ open: true, team: null })}>
              {t('teams.create')}
            </Button>
          )
        }
      />
      <Card variant="outlined" styles={{ body: { padding: 0 } }}>
        <Table<Team>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={teams.data ?? []}
          loading={teams.isPending}
          pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
          locale={{ emptyText: teams.isError ? describeError(t, teams.error) : t('teams.empty') }}
        />
      </Card>
      <TeamFormModal
        open={editing.open}
        team={editing.open ? editing.team : null}
        onClose={() => setEditing({ open: false })}
      />
      <TeamMembersDrawer team={drawerTeam} canEdit={admin} onClose={() => setMembersOf(null)} />
    </>
  );
}
