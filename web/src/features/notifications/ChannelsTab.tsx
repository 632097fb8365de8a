import { useState } from 'react';
import { Alert, Button, Form, Input, Modal, Space, Tag, Tooltip, Typography, type TableProps } from 'antd';
import { SendOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { describeError } from '../../api/errorText';
import { AdminList } from '../tickets/admin/AdminCrud';
import { RowActions } from '../tickets/admin/RowActions';
import { ChannelFormModal } from './ChannelFormModal';
import { isGroupRobot, type NotifyChannel, type TestResult } from './model';
import { useDeleteNotifyChannel, useNotifyChannels, useTestNotifyChannel } from './queries';
import styles from './Notifications.module.css';

/** Where notices go out: SMTP, SMS providers and IM robots, with their secrets masked (N2). */
export function ChannelsTab() {
  const { t } = useTranslation();
  const channels = useNotifyChannels();
  const remove = useDeleteNotifyChannel();
  const [editing, setEditing] = useState<NotifyChannel | null>(null);
  const [formOpen, setFormOpen] = useState(false);
  const [testing, setTesting] = useState<NotifyChannel | null>(null);

  const columns: TableProps<NotifyChannel>['columns'] = [
    { title: t('notifications.channels.name'), dataIndex: 'name' },
    {
      title: t('notifications.channels.kind'),
      render: (_, c) => (
        <Space size={4}>
          <Tag>{t(`notifications.media.${c.medium}`, { defaultValue: c.medium })}</Tag>
          {t(`notifications.kinds.${c.kind}`, { defaultValue: c.kind })}
        </Space>
      ),
    },
    {
      title: t('notifications.channels.secrets'),
      render: (_, c) =>
        Object.keys(c.secrets).length === 0 ? (
          <Typography.Text type="secondary">—</Typography.Text>
        ) : (
          <Space size={[8, 2]} wrap>
            {Object.entries(c.secrets).map(([key, masked]) => (
              <span key={key}>
                {t(`notifications.config.${key}`, { defaultValue: key })}: <code className={styles.secretSet}>{masked}</code>
              </span>
            ))}
          </Space>
        ),
    },
    {
      title: t('notifications.channels.enabled'),
      render: (_, c) => (c.enabled ? <Tag color="green">{t('notifications.on')}</Tag> : <Tag>{t('notifications.off')}</Tag>),
    },
    {
      title: t('common.actions'),
      width: 140,
      render: (_, c) => (
        <RowActions
          name={c.name}
          onEdit={() => {
            setEditing(c);
            setFormOpen(true);
          }}
          onDelete={() => remove.mutateAsync(c.id)}
        >
          <Tooltip title={t('notifications.channels.test')}>
            <Button type="text" size="small" icon={<SendOutlined />} aria-label={t('notifications.channels.testNamed', { name: c.name })} onClick={() => setTesting(c)} />
          </Tooltip>
        </RowActions>
      ),
    },
  ];

  return (
    <>
      <AdminList<NotifyChannel>
        description={t('notifications.channels.description')}
        createLabel={t('notifications.channels.create')}
        onCreate={() => {
          setEditing(null);
          setFormOpen(true);
        }}
        columns={columns}
        query={channels}
        emptyText={t('notifications.channels.empty')}
      />
      <ChannelFormModal open={formOpen} channel={editing} onClose={() => setFormOpen(false)} />
      {testing && <TestSendModal channel={testing} onClose={() => setTesting(null)} />}
    </>
  );
}

/** Sends a test notice on a channel and shows what the provider answered. */
export function TestSendModal({ channel, onClose }: { channel: NotifyChannel; onClose: () => void }) {
  const { t } = useTranslation();
  const test = useTestNotifyChannel();
  const [to, setTo] = useState('');
  const [result, setResult] = useState<TestResult | null>(null);
  const robot = isGroupRobot(channel.kind);

  const send = () => {
    setResult(null);
    test.mutate({ id: channel.id, to: robot ? '' : to.trim() }, { onSuccess: setResult });
  };

  return (
    <Modal
      open
      title={t('notifications.channels.testTitle', { name: channel.name })}
      onCancel={onClose}
      okText={t('notifications.channels.testSend')}
      cancelText={t('notifications.close')}
      onOk={send}
      confirmLoading={test.isPending}
      okButtonProps={{ disabled: !robot && !to.trim() }}
    >
      {robot ? (
        <Typography.Paragraph type="secondary">{t('notifications.channels.testRobot')}</Typography.Paragraph>
      ) : (
        <Form layout="vertical">
          <Form.Item
            label={t(`notifications.channels.testTo.${channel.medium}`, { defaultValue: t('notifications.channels.testTo.other') })}
            htmlFor="notification-test-to"
          >
            <Input id="notification-test-to" value={to} onChange={(e) => setTo(e.target.value)} onPressEnter={send} />
          </Form.Item>
        </Form>
      )}
      {test.isError && <Alert type="error" showIcon title={describeError(t, test.error)} />}
      {result && (
        <Alert
          type={result.ok ? 'success' : 'error'}
          showIcon
          title={result.ok ? t('notifications.channels.testOk') : t('notifications.channels.testFailed', { error: result.error })}
          description={
            <>
              {result.providerId && (
                <div>
                  {t('notifications.channels.providerId')}: <code>{result.providerId}</code>
                </div>
              )}
              {result.response && (
                <>
                  <div>{t('notifications.channels.providerResponse')}</div>
                  <pre className={styles.response}>{result.response}</pre>
                </>
              )}
            </>
          }
        />
      )}
    </Modal>
  );
}
