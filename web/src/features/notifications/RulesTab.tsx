import { useState } from 'react';
import { Flex, Space, Tag, Typography, type TableProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { AdminList } from '../tickets/admin/AdminCrud';
import { RowActions } from '../tickets/admin/RowActions';
import { summarize } from '../routing/conditions';
import { RuleDrawer, useTicketFields } from './RuleDrawer';
import type { NotifyRule } from './model';
import { useDeleteNotifyRule, useNotifyRules } from './queries';

/** When customers and agents are told about ticket progress (N1, N7). */
export function RulesTab() {
  const { t } = useTranslation();
  const rules = useNotifyRules();
  const remove = useDeleteNotifyRule();
  const [editing, setEditing] = useState<NotifyRule | null>(null);
  const [open, setOpen] = useState(false);
  const fields = useTicketFields();

  const columns: TableProps<NotifyRule>['columns'] = [
    {
      title: t('notifications.rules.name'),
      render: (_, r) => (
        <Flex vertical>
          <Typography.Text strong>{r.name}</Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {summarize(t, r.conditions, fields) || t('notifications.rules.always')}
          </Typography.Text>
        </Flex>
      ),
    },
    { title: t('notifications.rules.trigger'), render: (_, r) => t(`notifications.triggers.${r.trigger}`, { defaultValue: r.trigger }) },
    {
      title: t('notifications.rules.recipients'),
      render: (_, r) => r.recipients.map((v) => t(`notifications.recipients.${v}`, { defaultValue: v })).join('、'),
    },
    { title: t('notifications.rules.template'), render: (_, r) => <code>{r.template}</code> },
    {
      title: t('notifications.rules.media'),
      render: (_, r) => (
        <Space size={4} wrap>
          {r.media.map((m) => (
            <Tag key={m}>{t(`notifications.media.${m}`, { defaultValue: m })}</Tag>
          ))}
          {r.important && <Tag color="red">{t('notifications.rules.importantTag')}</Tag>}
          {r.attach_files && <Tag color="blue">{t('notifications.rules.attach_filesTag')}</Tag>}
        </Space>
      ),
    },
    {
      title: t('notifications.rules.active'),
      render: (_, r) => (r.active ? <Tag color="green">{t('notifications.on')}</Tag> : <Tag>{t('notifications.off')}</Tag>),
    },
    {
      title: t('common.actions'),
      width: 110,
      render: (_, r) => (
        <RowActions
          name={r.name}
          onEdit={() => {
            setEditing(r);
            setOpen(true);
          }}
          onDelete={() => remove.mutateAsync(r.id)}
        />
      ),
    },
  ];

  return (
    <>
      <AdminList<NotifyRule>
        description={t('notifications.rules.description')}
        createLabel={t('notifications.rules.create')}
        onCreate={() => {
          setEditing(null);
          setOpen(true);
        }}
        columns={columns}
        query={rules}
        emptyText={t('notifications.rules.empty')}
      />
      <RuleDrawer open={open} rule={editing} onClose={() => setOpen(false)} />
    </>
  );
}
