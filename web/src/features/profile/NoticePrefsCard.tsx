import { useEffect, useState } from 'react';
import { Alert, App as AntApp, Card, Flex, Skeleton, Switch, Table, Tooltip, Typography, type TableProps } from 'antd';
import { ExclamationCircleOutlined, QuestionCircleOutlined } from '@ant-design/icons';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useNoticePrefs, usePendingNoticePrefChanges, useSetNoticePref } from './queries';
import { NOTICE_PREF_KINDS, type NoticePrefChange, type NoticePrefField, type NoticePrefKind } from './noticePrefs';
import { describeError } from '../../api/errorText';
import { pushStatus, type PushStatus } from '../../pwa/push';
import type { NoticePref } from '../../api/types';

type Row = { kind: NoticePrefKind; pref: NoticePref };

/**
 * Which notices reach the signed-in agent, per kind: kept in the bell and shown live in the
 * workspace (`in_app`), web-pushed to the browsers and phones they enabled push on (`push`), and
 * e-mailed in their digest when still unread 15 minutes later (`email`; the digest lists unread
 * in-app notices, so its switch is disabled while `in_app` is off). Each switch saves at once.
 */
export function NoticePrefsCard() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const prefs = useNoticePrefs();
  const save = useSetNoticePref();
  const pending = usePendingNoticePrefChanges();
  const push = usePushStatus();

  const channel = (field: NoticePrefField) => t(`profile.noticePrefs.fields.${field}`);
  const kindName = (kind: NoticePrefKind) => t(`profile.noticePrefs.kinds.${kind}.name`);

  const onToggle = (change: NoticePrefChange) => {
    const what = { kind: kindName(change.kind), channel: channel(change.field) };
    void save.mutateAsync(change).then(
      () => void message.success(t(change.value ? 'profile.noticePrefs.turnedOn' : 'profile.noticePrefs.turnedOff', what)),
      (error: unknown) =>
        void message.error(t('profile.noticePrefs.saveFailed', { ...what, reason: describeError(t, error) })),
    );
  };

  const toggle = (row: Row, field: NoticePrefField, disabled = false) => {
    const label = t('profile.noticePrefs.switchLabel', { kind: kindName(row.kind), channel: channel(field) });
    return (
      <Switch
        checked={row.pref[field]}
        disabled={disabled}
        loading={pending.some((change) => change.kind === row.kind && change.field === field)}
        aria-label={label}
        onChange={(value) => onToggle({ kind: row.kind, field, value })}
      />
    );
  };

  const columnTitle = (field: NoticePrefField) => (
    <Flex gap={4} align="center" justify="center">
      {channel(field)}
      <Tooltip title={t(`profile.noticePrefs.fieldHints.${field}`)}>
        <QuestionCircleOutlined style={{ color: '#9ca3af' }} aria-label={t(`profile.noticePrefs.fieldHints.${field}`)} />
      </Tooltip>
    </Flex>
  );

  const columns: TableProps<Row>['columns'] = [
    {
      title: t('profile.noticePrefs.kind'),
      key: 'kind',
      render: (_, row) => (
        <Flex vertical gap={2}>
          <Typography.Text strong>{kindName(row.kind)}</Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 13 }}>
            {t(`profile.noticePrefs.kinds.${row.kind}.hint`)}
          </Typography.Text>
          {!row.pref.in_app && (
            <Typography.Text type="warning" style={{ fontSize: 13 }} data-testid={`notice-pref-off-${row.kind}`}>
              <ExclamationCircleOutlined />{' '}
              {row.pref.push ? t('profile.noticePrefs.inAppOff') : t('profile.noticePrefs.allOff')}
            </Typography.Text>
          )}
        </Flex>
      ),
    },
    {
      title: columnTitle('in_app'),
      key: 'in_app',
      width: 110,
      align: 'center',
      render: (_, row) =>
        row.pref.in_app ? (
          toggle(row, 'in_app')
        ) : (
          <Tooltip title={t('profile.noticePrefs.inAppOff')}>
            <span>{toggle(row, 'in_app')}</span>
          </Tooltip>
        ),
    },
    { title: columnTitle('push'), key: 'push', width: 110, align: 'center', render: (_, row) => toggle(row, 'push') },
    {
      title: columnTitle('email'),
      key: 'email',
      width: 130,
      align: 'center',
      // The digest lists unread in-app notices: without in-app there is nothing to e-mail. The
      // saved choice still shows, and applies again once in-app is back on.
      render: (_, row) =>
        row.pref.in_app ? (
          toggle(row, 'email')
        ) : (
          <Tooltip title={t('profile.noticePrefs.emailNeedsInApp')}>
            <span>{toggle(row, 'email', true)}</span>
          </Tooltip>
        ),
    },
  ];

  let body;
  if (prefs.isPending) body = <Skeleton active style={{ padding: 16 }} />;
  else if (prefs.isError)
    body = <Alert type="error" showIcon title={describeError(t, prefs.error)} style={{ margin: 16 }} />;
  else {
    const data = prefs.data;
    body = (
      <Table<Row>
        rowKey="kind"
        size="middle"
        columns={columns}
        dataSource={NOTICE_PREF_KINDS.map((kind) => ({ kind, pref: data[kind] }))}
        pagination={false}
      />
    );
  }

  return (
    <Card title={t('profile.noticePrefs.title')} variant="outlined" styles={{ body: { padding: 0 } }}>
      <Typography.Paragraph type="secondary" style={{ padding: '12px 16px 0', marginBottom: 12 }}>
        {t('profile.noticePrefs.description')}
      </Typography.Paragraph>
      <PushHint status={push} />
      {body}
    </Card>
  );
}

/** Why push may not reach this browser, and where to turn it on; nothing once it is on. */
function PushHint({ status }: { status: PushStatus | null }) {
  const { t } = useTranslation();
  if (status === null || status === 'on') return null;
  return (
    <Alert
      type={status === 'off' ? 'info' : 'warning'}
      showIcon
      style={{ margin: '0 16px 12px' }}
      data-testid="push-hint"
      title={t(`profile.noticePrefs.push.${status}`, { toggle: t('workspace.alerts.off') })}
      action={
        status === 'off' || status === 'blocked' ? <Link to="/inbox">{t('profile.noticePrefs.push.goToInbox')}</Link> : undefined
      }
    />
  );
}

/** This browser's web push state, once known (null while it is being found out). */
function usePushStatus(): PushStatus | null {
  const [status, setStatus] = useState<PushStatus | null>(null);
  useEffect(() => {
    let live = true;
    void pushStatus()
      .catch((): PushStatus => 'unsupported')
      .then((found) => {
        if (live) setStatus(found);
      });
    return () => {
      live = false;
    };
  }, []);
  return status;
}
