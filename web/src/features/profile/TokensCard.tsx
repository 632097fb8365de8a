import { useState } from 'react';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Form,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
  Space,
  Table,
  Tag,
  Typography,
  type TableProps,
} from 'antd';
import { CopyOutlined, DeleteOutlined, KeyOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useCreateToken, useRevokeToken, useTokens } from './queries';
import { applyFieldErrors } from '../../api/fieldErrors';
import { describeError } from '../../api/errorText';
import { formatDateTime } from '../../i18n/format';
import type { AccessToken, CreateToken, NewAccessToken } from '../../api/types';

type CreateValues = { name: string; expires_in_days?: number | null };

/** Personal access tokens for integrations (`Authorization: Bearer yk_…`). */
export function TokensCard() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const tokens = useTokens();
  const revoke = useRevokeToken();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<NewAccessToken | null>(null);

  const onRevoke = (token: AccessToken) =>
    revoke.mutateAsync(token.id).then(
      () => void message.success(t('tokens.revoked', { name: token.name })),
      (error: unknown) => void message.error(describeError(t, error)),
    );

  const columns: TableProps<AccessToken>['columns'] = [
    {
      title: t('tokens.fields.name'),
      dataIndex: 'name',
      render: (_, token) => (
        <Space size={6}>
          <KeyOutlined style={{ color: '#9ca3af' }} />
          <Typography.Text>{token.name}</Typography.Text>
          {token.expires_at && Date.parse(token.expires_at) < Date.now() && (
            <Tag variant="filled" color="error">
              {t('tokens.expired')}
            </Tag>
          )}
        </Space>
      ),
    },
    { title: t('tokens.fields.createdAt'), dataIndex: 'created_at', render: (value: string) => formatDateTime(value) },
    {
      title: t('tokens.fields.expiresAt'),
      dataIndex: 'expires_at',
      render: (value: string | null) => (value ? formatDateTime(value) : t('tokens.never')),
    },
    {
      title: t('tokens.fields.lastUsedAt'),
      dataIndex: 'last_used_at',
      render: (value: string | null) => (value ? formatDateTime(value) : t('tokens.neverUsed')),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 90,
      align: 'right',
      render: (_, token) => (
        <Popconfirm
          title={t('tokens.revokeConfirmTitle', { name: token.name })}
          description={t('tokens.revokeConfirm')}
          okText={t('tokens.revoke')}
          okButtonProps={{ danger: true }}
          cancelText={t('common.cancel')}
          onConfirm={() => onRevoke(token)}
        >
          <Button type="text" size="small" danger icon={<DeleteOutlined />} aria-label={t('tokens.revokeNamed', { name: token.name })}>
            {t('tokens.revoke')}
          </Button>
        </Popconfirm>
      ),
    },
  ];

  return (
    <Card
      title={t('tokens.title')}
      variant="outlined"
      extra={
        <Button icon={<PlusOutlined />} onClick={() => setCreating(true)}>
          {t('tokens.create')}
        </Button>
      }
      styles={{ body: { padding: 0 } }}
    >
      <Typography.Paragraph type="secondary" style={{ padding: '12px 16px 0', marginBottom: 12 }}>
        {t('tokens.description')}
      </Typography.Paragraph>
      <Table<AccessToken>
        rowKey="id"
        size="middle"
        columns={columns}
        dataSource={tokens.data ?? []}
        loading={tokens.isPending}
        pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
        locale={{ emptyText: tokens.isError ? describeError(t, tokens.error) : t('tokens.empty') }}
      />
      <CreateTokenModal
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(token) => {
          setCreating(false);
          setCreated(token);
        }}
      />
      <NewTokenModal token={created} onClose={() => setCreated(null)} />
    </Card>
  );
}

function CreateTokenModal({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (token: NewAccessToken) => void;
}) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<CreateValues>();
  const create = useCreateToken();

  const onFinish = (values: CreateValues) => {
    const body: CreateToken = { name: values.name.trim() };
    if (values.expires_in_days) body.expires_in_days = values.expires_in_days;
    create.mutate(body, {
      onSuccess: (token) => {
        form.resetFields();
        onCreated(token);
      },
      onError: (error) => {
        if (!applyFieldErrors(form, error, ['name', 'expires_in_days'])) void message.error(describeError(t, error));
      },
    });
  };

  return (
    <Modal
      open={open}
      title={t('tokens.createTitle')}
      okText={t('tokens.create')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={() => {
        form.resetFields();
        onClose();
      }}
      confirmLoading={create.isPending}
      forceRender
      width={440}
    >
      <Form<CreateValues> name="token" form={form} layout="vertical" requiredMark="optional" onFinish={onFinish}>
        <Form.Item
          name="name"
          label={t('tokens.fields.name')}
          extra={t('tokens.nameHint')}
          rules={[{ required: true, whitespace: true, message: t('validation.required') }]}
        >
          <Input maxLength={100} autoComplete="off" />
        </Form.Item>
        <Form.Item name="expires_in_days" label={t('tokens.fields.expiresInDays')} extra={t('tokens.expiresHint')}>
          <InputNumber min={1} max={3650} precision={0} style={{ width: '100%' }} suffix={t('tokens.days')} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** Shows the secret exactly once, right after creation. */
function NewTokenModal({ token, onClose }: { token: NewAccessToken | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();

  const copy = async () => {
    if (!token) return;
    try {
      await navigator.clipboard.writeText(token.token);
      void message.success(t('tokens.copied'));
    } catch {
      void message.error(t('tokens.copyFailed'));
    }
  };

  return (
    <Modal
      open={token !== null}
      title={t('tokens.createdTitle', { name: token?.name ?? '' })}
      onCancel={onClose}
      mask={{ closable: false }}
      // The secret leaves the DOM as soon as the dialog closes.
      destroyOnHidden
      footer={
        <Button type="primary" onClick={onClose}>
          {t('tokens.done')}
        </Button>
      }
      width={560}
    >
      <Alert type="warning" showIcon title={t('tokens.showOnceWarning')} style={{ marginBottom: 16 }} />
      <Space.Compact style={{ width: '100%' }}>
        <Input readOnly value={token?.token ?? ''} aria-label={t('tokens.secret')} style={{ fontFamily: 'monospace' }} />
        <Button icon={<CopyOutlined />} onClick={() => void copy()}>
          {t('tokens.copy')}
        </Button>
      </Space.Compact>
    </Modal>
  );
}
