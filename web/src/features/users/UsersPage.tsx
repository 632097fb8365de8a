import { useMemo, useState } from 'react';
import { App as AntApp, Badge, Button, Card, Input, Popconfirm, Space, Table, Tag, Tooltip, type TableProps } from 'antd';
import { EditOutlined, PlusOutlined, SearchOutlined, StopOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useDeactivateUser, useUsers } from './queries';
import { RoleTag } from './RoleTag';
import { UserAvatar } from './UserAvatar';
import { UserFormModal } from './UserFormModal';
import { useCurrentSession } from '../auth/session';
import { canEditUser, canManage } from '../auth/roles';
import { PageHeader } from '../layout/PageHeader';
import { describeError } from '../../api/errorText';
import { formatDateTime } from '../../i18n/format';
import type { User } from '../../api/types';

type Editing = { open: false } | { open: true; user: User | null };

export default function UsersPage() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const { user: me } = useCurrentSession();
  const users = useUsers();
  const deactivate = useDeactivateUser();
  const [search, setSearch] = useState('');
  const [editing, setEditing] = useState<Editing>({ open: false });
  const admin = canManage(me.role);

  const rows = useMemo(() => {
    const query = search.trim().toLowerCase();
    const all = users.data ?? [];
    if (!query) return all;
    return all.filter((u) => u.name.toLowerCase().includes(query) || u.email.toLowerCase().includes(query));
  }, [users.data, search]);

  const onDeactivate = (user: User) =>
    deactivate.mutateAsync(user.id).then(
      () => void message.success(t('users.deactivated', { name: user.name })),
      (error: unknown) => void message.error(describeError(t, error)),
    );

  const columns: TableProps<User>['columns'] = [
    {
      title: t('users.fields.name'),
      dataIndex: 'name',
      sorter: (a, b) => a.name.localeCompare(b.name),
      render: (_, user) => (
        <UserAvatar
          id={user.id}
          name={user.name}
          suffix={
            user.id === me.id ? (
              <Tag variant="filled" color="processing">
                {t('users.you')}
              </Tag>
            ) : undefined
          }
        />
      ),
    },
    { title: t('users.fields.email'), dataIndex: 'email', ellipsis: true },
    {
      title: t('users.fields.role'),
      dataIndex: 'role',
      width: 120,
      render: (_, user) => <RoleTag role={user.role} />,
      filters: (['owner', 'admin', 'supervisor', 'agent'] as const).map((role) => ({
        text: t(`roles.${role}`),
        value: role,
      })),
      onFilter: (value, user) => user.role === value,
    },
    {
      title: t('users.fields.status'),
      dataIndex: 'active',
      width: 120,
      render: (_, user) =>
        user.active ? (
          <Badge status="success" text={t('users.status.active')} />
        ) : (
          <Badge status="default" text={t('users.status.deactivated')} />
        ),
    },
    {
      title: t('users.fields.createdAt'),
      dataIndex: 'created_at',
      width: 190,
      render: (_, user) => formatDateTime(user.created_at),
      sorter: (a, b) => a.created_at.localeCompare(b.created_at),
    },
  ];

  if (admin) {
    columns.push({
      title: t('common.actions'),
      key: 'actions',
      width: 110,
      align: 'right',
      render: (_, user) => {
        if (!canEditUser(me.role, user.role)) return null;
        return (
          <Space size={4}>
            <Tooltip title={t('common.edit')}>
              <Button
                type="text"
                size="small"
                icon={<EditOutlined />}
                aria-label={t('users.editNamed', { name: user.name })}
                onClick={() => setEditing({ open: true, user })}
              />
            </Tooltip>
            {user.active && user.id !== me.id && (
              <Popconfirm
                title={t('users.deactivateConfirmTitle', { name: user.name })}
                description={t('users.deactivateConfirm')}
                okText={t('users.deactivate')}
                okButtonProps={{ danger: true }}
                cancelText={t('common.cancel')}
                onConfirm={() => onDeactivate(user)}
              >
                <Tooltip title={t('users.deactivate')}>
                  <Button
                    type="text"
                    size="small"
                    danger
                    icon={<StopOutlined />}
                    aria-label={t('users.deactivateNamed', { name: user.name })}
                  />
                </Tooltip>
              </Popconfirm>
            )}
          </Space>
        );
      },
    });
  }

  return (
    <>
      <PageHeader
        title={t('users.title')}
        description={t('users.description')}
        extra={
          admin && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ open: true, user: null })}>
              {t('users.create')}
            </Button>
          )
        }
      />
      <Card variant="outlined" styles={{ body: { padding: 0 } }}>
        <div style={{ padding: '12px 16px' }}>
          <Input
            allowClear
            prefix={<SearchOutlined />}
            placeholder={t('users.search')}
            aria-label={t('users.search')}
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            style={{ maxWidth: 320 }}
          />
        </div>
        <Table<User>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={rows}
          loading={users.isPending}
          pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
          locale={{ emptyText: users.isError ? describeError(t, users.error) : t('users.empty') }}
          rowClassName={(user) => (user.active ? '' : 'row-muted')}
        />
      </Card>
      <UserFormModal
        open={editing.open}
        user={editing.open ? editing.user : null}
        actorRole={me.role}
        onClose={() => setEditing({ open: false })}
      />
    </>
  );
}
