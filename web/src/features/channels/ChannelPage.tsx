import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { App as AntApp, Button, Card, Popconfirm, Result, Skeleton, Space, Table, Tag, Tooltip, Typography, type TableProps } from 'antd';
import {
  ArrowLeftOutlined,
  DeleteOutlined,
  EditOutlined,
  EyeInvisibleOutlined,
  EyeOutlined,
  ExportOutlined,
  LinkOutlined,
  PlusOutlined,
} from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { ChannelFormModal } from './ChannelFormModal';
import { CopyField, copyText } from './CopyField';
import { EntryPointModal } from './EntryPointModal';
import { fetchIdentitySecret, useChannel, useDeleteEntryPoint, useEntryPoints } from './queries';
import { readSettings } from './settings';
import { useCurrentSession } from '../auth/session';
import { canManage } from '../auth/roles';
import { PageHeader } from '../layout/PageHeader';
import { describeError } from '../../api/errorText';
import { safeHttpUrl } from '../../api/open';
import { formatDateTime } from '../../i18n/format';
import type { Channel, EntryPoint } from '../../api/types';
import styles from './Channels.module.css';

export default function ChannelPage() {
  const { t } = useTranslation();
  const params = useParams();
  const id = Number(params.channelId);
  const channel = useChannel(id);
  const { user: me } = useCurrentSession();
  const admin = canManage(me.role);
  const [editing, setEditing] = useState(false);

  if (channel.isPending) return <Skeleton active />;
  if (channel.isError) {
    return (
      <Result
        status="warning"
        title={describeError(t, channel.error)}
        extra={
          <Link to="/channels">
            <Button>{t('channels.backToList')}</Button>
          </Link>
        }
      />
    );
  }
  const c = channel.data;

  return (
    <>
      <Link to="/channels" className={styles.back}>
        <ArrowLeftOutlined /> {t('channels.backToList')}
      </Link>
      <PageHeader
        title={c.name}
        description={t('channels.detailDescription', { date: formatDateTime(c.created_at) })}
        extra={
          admin && (
            <Button icon={<EditOutlined />} onClick={() => setEditing(true)}>
              {t('channels.editSettings')}
            </Button>
          )
        }
      />
      <div className={styles.detailGrid}>
        <div className={styles.detailMain}>
          <InstallCard channel={c} />
          <EntryPointsCard channel={c} admin={admin} />
        </div>
        <div className={styles.detailSide}>
          <SettingsCard channel={c} />
          {admin && <IdentitySecretCard channelId={c.id} />}
        </div>
      </div>
      {admin && <ChannelFormModal open={editing} channel={c} onClose={() => setEditing(false)} />}
    </>
  );
}

function InstallCard({ channel }: { channel: Channel }) {
  const { t } = useTranslation();
  const h5 = safeHttpUrl(channel.h5_url);
  return (
    <Card title={t('channels.install.title')} size="small" className={styles.card}>
      <div className={styles.block}>
        <Typography.Text strong>{t('channels.install.snippet')}</Typography.Text>
        <Typography.Paragraph type="secondary" className={styles.blockHint}>
          {t('channels.install.snippetHint')}
        </Typography.Paragraph>
        <CopyField value={channel.widget_snippet} label={t('channels.install.snippet')} multiline />
      </div>
      <div className={styles.block}>
        <Typography.Text strong>{t('channels.install.h5')}</Typography.Text>
        <Typography.Paragraph type="secondary" className={styles.blockHint}>
          {t('channels.install.h5Hint')}
        </Typography.Paragraph>
        <CopyField
          value={channel.h5_url}
          label={t('channels.install.h5')}
          extra={
            h5 && (
              <Button icon={<ExportOutlined />} href={h5} target="_blank" rel="noopener noreferrer">
                {t('channels.install.open')}
              </Button>
            )
          }
        />
      </div>
      <Typography.Paragraph type="secondary" className={styles.blockHint}>
        {t('channels.install.entryHint')}
      </Typography.Paragraph>
    </Card>
  );
}

function EntryPointsCard({ channel, admin }: { channel: Channel; admin: boolean }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const entries = useEntryPoints(channel.id);
  const remove = useDeleteEntryPoint(channel.id);
  const [creating, setCreating] = useState(false);

  const onDelete = (entry: EntryPoint) =>
    remove.mutateAsync(entry.id).then(
      () => void message.success(t('channels.entries.deleted', { name: entry.name })),
      (error: unknown) => void message.error(describeError(t, error)),
    );

  const text = (value: string) => (value ? value : <Typography.Text type="secondary">—</Typography.Text>);
  const columns: TableProps<EntryPoint>['columns'] = [
    {
      title: t('channels.entries.key'),
      dataIndex: 'key',
      render: (_, e) => (
        <Typography.Text code className={styles.keyText}>
          {e.key}
        </Typography.Text>
      ),
    },
    { title: t('channels.entries.name'), dataIndex: 'name', render: (_, e) => e.name },
    { title: t('channels.entries.campaign'), dataIndex: 'campaign', render: (_, e) => text(e.campaign) },
    { title: t('channels.entries.adPlan'), dataIndex: 'ad_plan', render: (_, e) => text(e.ad_plan) },
    { title: t('channels.entries.businessModule'), dataIndex: 'business_module', render: (_, e) => text(e.business_module) },
    {
      title: t('channels.entries.landingPage'),
      dataIndex: 'landing_page',
      ellipsis: true,
      render: (_, e) => {
        const url = e.landing_page ? safeHttpUrl(e.landing_page) : null;
        return url ? (
          <a href={url} target="_blank" rel="noopener noreferrer" title={e.landing_page}>
            {e.landing_page}
          </a>
        ) : (
          text(e.landing_page)
        );
      },
    },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 90,
      align: 'right',
      render: (_, e) => (
        <Space size={2}>
          <CopyLinkButton url={`${channel.h5_url}?yk_entry=${encodeURIComponent(e.key)}`} name={e.name} />
          {admin && (
            <Popconfirm
              title={t('channels.entries.deleteConfirmTitle', { name: e.name })}
              description={t('channels.entries.deleteConfirm')}
              okText={t('common.delete')}
              okButtonProps={{ danger: true }}
              cancelText={t('common.cancel')}
              onConfirm={() => onDelete(e)}
            >
              <Tooltip title={t('common.delete')}>
                <Button
                  type="text"
                  size="small"
                  danger
                  icon={<DeleteOutlined />}
                  aria-label={t('channels.entries.deleteNamed', { name: e.name })}
                />
              </Tooltip>
            </Popconfirm>
          )}
        </Space>
      ),
    },
  ];

  return (
    <Card
      title={t('channels.entries.title')}
      size="small"
      className={styles.card}
      extra={
        admin && (
          <Button size="small" type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            {t('channels.entries.create')}
          </Button>
        )
      }
      styles={{ body: { padding: 0 } }}
    >
      <Typography.Paragraph type="secondary" className={styles.cardIntro}>
        {t('channels.entries.description')}
      </Typography.Paragraph>
      <Table<EntryPoint>
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={entries.data ?? []}
        loading={entries.isPending}
        pagination={false}
        scroll={{ x: 720 }}
        locale={{ emptyText: entries.isError ? describeError(t, entries.error) : t('channels.entries.empty') }}
      />
      {admin && <EntryPointModal channelId={channel.id} open={creating} onClose={() => setCreating(false)} />}
    </Card>
  );
}

function CopyLinkButton({ url, name }: { url: string; name: string }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  return (
    <Tooltip title={t('channels.entries.copyLink')}>
      <Button
        type="text"
        size="small"
        icon={<LinkOutlined />}
        aria-label={t('channels.entries.copyLinkNamed', { name })}
        onClick={() =>
          void copyText(url).then((ok) =>
            ok ? void message.success(t('channels.copied')) : void message.error(t('channels.copyFailed')),
          )
        }
      />
    </Tooltip>
  );
}

function SettingsCard({ channel }: { channel: Channel }) {
  const { t } = useTranslation();
  const settings = readSettings(channel.settings);
  return (
    <Card title={t('channels.settings.title')} size="small" className={styles.card}>
      <dl className={styles.kvList}>
        <div className={styles.kv}>
          <dt>{t('channels.fields.greeting')}</dt>
          <dd>{settings.greeting || <Typography.Text type="secondary">—</Typography.Text>}</dd>
        </div>
        <div className={styles.kv}>
          <dt>{t('channels.fields.colour')}</dt>
          <dd>
            <span className={styles.swatch} style={{ background: settings.colour }} aria-hidden /> {settings.colour}
          </dd>
        </div>
        <div className={styles.kv}>
          <dt>{t('channels.fields.locale')}</dt>
          <dd>{settings.locale === 'en' || settings.locale === 'zh-CN' ? t(`language.${settings.locale}`) : settings.locale}</dd>
        </div>
      </dl>
      <Typography.Text strong className={styles.subHeading}>
        {t('channels.form.title')}
      </Typography.Text>
      {settings.pre_chat_form.length === 0 ? (
        <Typography.Paragraph type="secondary" className={styles.blockHint}>
          {t('channels.form.none')}
        </Typography.Paragraph>
      ) : (
        <ul className={styles.formFields}>
          {settings.pre_chat_form.map((field) => (
            <li key={field.name}>
              <span className={styles.formFieldLabel}>{field.label}</span>
              <Typography.Text code className={styles.keyText}>
                {field.name}
              </Typography.Text>
              <Tag variant="filled">{t(`channels.kinds.${field.kind}`)}</Tag>
              {field.required && (
                <Tag color="red" variant="filled">
                  {t('channels.form.required')}
                </Tag>
              )}
              {field.options && field.options.length > 0 && (
                <div className={styles.formFieldOptions}>{field.options.join(' / ')}</div>
              )}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function IdentitySecretCard({ channelId }: { channelId: number }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [secret, setSecret] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const reveal = async () => {
    setLoading(true);
    try {
      setSecret(await fetchIdentitySecret(channelId));
    } catch (error) {
      void message.error(describeError(t, error));
    } finally {
      setLoading(false);
    }
  };

  return (
    <Card title={t('channels.identity.title')} size="small" className={styles.card}>
      <Typography.Paragraph type="secondary" className={styles.blockHint}>
        {t('channels.identity.description')}
      </Typography.Paragraph>
      <pre className={styles.formula}>hex(HMAC-SHA256(secret, user_id))</pre>
      {secret ? (
        <CopyField
          value={secret}
          label={t('channels.identity.secret')}
          multiline
          stacked
          extra={
            <Button icon={<EyeInvisibleOutlined />} onClick={() => setSecret(null)}>
              {t('channels.identity.hide')}
            </Button>
          }
        />
      ) : (
        <div className={`${styles.copyField} ${styles.copyStacked}`}>
          <code className={styles.codeBlock} aria-label={t('channels.identity.secret')}>
            ••••••••••••••••••••••••••••••••
          </code>
          <div className={styles.copyActions}>
            <Button icon={<EyeOutlined />} loading={loading} onClick={() => void reveal()}>
              {t('channels.identity.reveal')}
            </Button>
          </div>
        </div>
      )}
      <Typography.Paragraph type="warning" className={styles.blockHint} style={{ marginTop: 8 }}>
        {t('channels.identity.warning')}
      </Typography.Paragraph>
    </Card>
  );
}
