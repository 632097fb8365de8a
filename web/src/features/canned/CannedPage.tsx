import { useMemo, useState } from 'react';
import { Alert, App as AntApp, Button, Card, Empty, Input, Popconfirm, Space, Table, Tooltip, Typography, type TableProps } from 'antd';
import { DeleteOutlined, EditOutlined, PlusOutlined, SearchOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useCurrentSession } from '../auth/session';
import { canSupervise } from '../auth/roles';
import { PageHeader } from '../layout/PageHeader';
import { useCannedResponses } from '../workspace/canned';
import { describeError } from '../../api/errorText';
import { formatDateTime } from '../../i18n/format';
import type { CannedResponse } from '../../api/types';
import { useDeleteCanned } from './queries';
import { CannedFormDrawer } from './CannedFormDrawer';
import { filterCanned } from './template';
import styles from './Canned.module.css';

type Editing = { open: false } | { open: true; canned: CannedResponse | null };

/**
 * `/canned`: the account's canned responses. Every agent sees them (they use them in the composer);
 * supervisors and above add, change and delete them.
 */
export default function CannedPage() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const { user: me } = useCurrentSession();
  const manage = canSupervise(me.role);
  const canned = useCannedResponses(true);
  const remove = useDeleteCanned();
  const [query, setQuery] = useState('');
  const [editing, setEditing] = useState<Editing>({ open: false });
  const rows = useMemo(() => filterCanned(canned.data ?? [], query), [canned.data, query]);

  const onDelete = (item: CannedResponse) =>
    remove.mutateAsync(item.id).then(
      () => void message.success(t('canned.deleted', { code: item.short_code })),
      (error: unknown) => void message.error(describeError(t, error)),
    );

  const columns: TableProps<CannedResponse>['columns'] = [
    {
      title: t('canned.fields.shortCode'),
      dataIndex: 'short_code',
      width: 200,
      sorter: (a, b) => a.short_code.localeCompare(b.short_code),
      render: (_, item) => (
        <Typography.Text code className={styles.codeCell}>
          /{item.short_code}
        </Typography.Text>
      ),
    },
    {
      title: t('canned.fields.content'),
      dataIndex: 'content',
      // Chat content is text: shown as text, never as markup.
      render: (_, item) => (
        <div className={styles.content} title={item.content}>
          {item.content}
        </div>
      ),
    },
    {
      title: t('canned.fields.updatedAt'),
      dataIndex: 'updated_at',
      width: 180,
      sorter: (a, b) => a.updated_at.localeCompare(b.updated_at),
      render: (_, item) => formatDateTime(item.updated_at),
    },
    ...(manage
      ? [
          {
            title: t('common.actions'),
            key: 'actions',
            width: 100,
            align: 'right' as const,
            render: (_: unknown, item: CannedResponse) => (
              <Space size={4}>
                <Tooltip title={t('common.edit')}>
                  <Button
                    type="text"
                    size="small"
                    icon={<EditOutlined />}
                    aria-label={t('canned.editNamed', { code: item.short_code })}
                    onClick={() => setEditing({ open: true, canned: item })}
                  />
                </Tooltip>
                <Popconfirm
                  title={t('canned.deleteConfirmTitle', { code: item.short_code })}
                  description={t('canned.deleteConfirm')}
                  okText={t('common.delete')}
                  okButtonProps={{ danger: true }}
                  cancelText={t('common.cancel')}
                  onConfirm={() => onDelete(item)}
                >
                  <Tooltip title={t('common.delete')}>
                    <Button
                      type="text"
                      size="small"
                      danger
                      icon={<DeleteOutlined />}
                      aria-label={t('canned.deleteNamed', { code: item.short_code })}
                    />
                  </Tooltip>
                </Popconfirm>
              </Space>
            ),
          },
        ]
      : []),
  ];

  const create = () => setEditing({ open: true, canned: null });
  const empty =
    query.trim() !== '' ? (
      <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('canned.noMatch', { query: query.trim() })} />
    ) : (
      <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={manage ? t('canned.emptyManage') : t('canned.empty')}>
        {manage && (
          <Button type="primary" icon={<PlusOutlined />} onClick={create}>
            {t('canned.create')}
          </Button>
        )}
      </Empty>
    );

  return (
    <>
      <PageHeader
        title={t('canned.title')}
        description={manage ? t('canned.description') : t('canned.descriptionReadOnly')}
        extra={
          manage && (
            <Button type="primary" icon={<PlusOutlined />} onClick={create}>
              {t('canned.create')}
            </Button>
          )
        }
      />
      {canned.isError ? (
        <Alert
          type="error"
          showIcon
          title={describeError(t, canned.error)}
          action={
            <Button size="small" onClick={() => void canned.refetch()}>
              {t('common.retry')}
            </Button>
          }
        />
      ) : (
        <Card variant="outlined" styles={{ body: { padding: 0 } }}>
          <div className={styles.toolbar}>
            <Input
              allowClear
              prefix={<SearchOutlined />}
              value={query}
              onChange={(event) => setQuery(event.target.value)}
              placeholder={t('canned.search')}
              aria-label={t('canned.search')}
              className={styles.search}
            />
          </div>
          <Table<CannedResponse>
            rowKey="id"
            size="middle"
            columns={columns}
            dataSource={rows}
            loading={canned.isPending}
            pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
            locale={{ emptyText: canned.isPending ? ' ' : empty }}
          />
        </Card>
      )}
      {manage && (
        <CannedFormDrawer
          open={editing.open}
          canned={editing.open ? editing.canned : null}
          onClose={() => setEditing({ open: false })}
        />
      )}
    </>
  );
}
