import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { Button, Card, Table, Tag, Typography, type TableProps } from 'antd';
import { GlobalOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useChannels } from './queries';
import { ChannelFormModal } from './ChannelFormModal';
import { readSettings } from './settings';
import { useCurrentSession } from '../auth/session';
import { canManage } from '../auth/roles';
import { PageHeader } from '../layout/PageHeader';
import { describeError } from '../../api/errorText';
import { formatDateTime } from '../../i18n/format';
import type { Channel } from '../../api/types';
import styles from './Channels.module.css';

export default function ChannelsPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { user: me } = useCurrentSession();
  const channels = useChannels();
  const [creating, setCreating] = useState(false);
  const admin = canManage(me.role);

  const columns: TableProps<Channel>['columns'] = [
    {
      title: t('channels.fields.name'),
      dataIndex: 'name',
      sorter: (a, b) => a.name.localeCompare(b.name),
      render: (_, channel) => {
        const colour = readSettings(channel.settings).colour;
        return (
          <span className={styles.nameCell}>
            <span className={styles.swatch} style={{ background: colour }} aria-hidden />
            <Link to={`/channels/${channel.id}`} className={styles.nameLink}>
              {channel.name}
            </Link>
          </span>
        );
      },
    },
    {
      title: t('channels.fields.kind'),
      dataIndex: 'kind',
      width: 120,
      render: (_, channel) => (
        <Tag icon={<GlobalOutlined />} variant="filled">
          {channel.kind === 'web_widget' ? t('channels.webWidget') : channel.kind}
        </Tag>
      ),
    },
    {
      title: t('channels.fields.publicKey'),
      dataIndex: 'public_key',
      ellipsis: true,
      render: (_, channel) => (
        <Typography.Text code className={styles.keyText}>
          {channel.public_key}
        </Typography.Text>
      ),
    },
    {
      title: t('channels.fields.locale'),
      key: 'locale',
      width: 100,
      render: (_, channel) => {
        const locale = readSettings(channel.settings).locale;
        return locale === 'en' || locale === 'zh-CN' ? t(`language.${locale}`) : locale;
      },
    },
    {
      title: t('channels.fields.preChatForm'),
      key: 'form',
      width: 120,
      render: (_, channel) => {
        const count = readSettings(channel.settings).pre_chat_form.length;
        return count > 0 ? t('channels.fieldCount', { count }) : <Typography.Text type="secondary">{t('channels.noForm')}</Typography.Text>;
      },
    },
    {
      title: t('channels.fields.createdAt'),
      dataIndex: 'created_at',
      width: 180,
      render: (_, channel) => formatDateTime(channel.created_at),
    },
  ];

  return (
    <>
      <PageHeader
        title={t('channels.title')}
        description={t('channels.description')}
        extra={
          admin && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
              {t('channels.create')}
            </Button>
          )
        }
      />
      <Card variant="outlined" styles={{ body: { padding: 0 } }}>
        <Table<Channel>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={channels.data ?? []}
          loading={channels.isPending}
          pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
          scroll={{ x: 760 }}
          onRow={(channel) => ({ onDoubleClick: () => void navigate(`/channels/${channel.id}`) })}
          locale={{ emptyText: channels.isError ? describeError(t, channels.error) : admin ? t('channels.emptyAdmin') : t('channels.empty') }}
        />
      </Card>
      <ChannelFormModal
        open={creating}
        channel={null}
        onClose={() => setCreating(false)}
        onCreated={(channel) => void navigate(`/channels/${channel.id}`)}
      />
    </>
  );
}
