import { useMemo, useState } from 'react';
import { App as AntApp, Button, Card, Flex, Popconfirm, Space, Switch, Table, Tag, Tooltip, Typography, type TableProps } from 'antd';
import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, EditOutlined, EyeOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import { RuleFormDrawer } from './RuleFormDrawer';
import { strategyLabel } from './TraceView';
import { summarize } from './conditions';
import { movePlan, saveBody } from './routeForm';
import { rulesKey, useDeleteRule, useReplaceRule, useRoutingFields, useRules } from './queries';
import { useDirectory } from './names';
import { PriorityTag } from '../inbox/PriorityTag';
import { describeError } from '../../api/errorText';
import type { RoutingRule } from '../../api/types';
import styles from './Routing.module.css';

type Editing = { open: false } | { open: true; rule: RoutingRule | null };

/** The ordered rules: the first whose conditions hold decides where a new conversation goes. */
export function RulesTab({ admin }: { admin: boolean }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const rules = useRules();
  const fields = useRoutingFields();
  const names = useDirectory();
  const replace = useReplaceRule();
  const remove = useDeleteRule();
  const [editing, setEditing] = useState<Editing>({ open: false });
  const [busy, setBusy] = useState<number | null>(null);
  const list = useMemo(() => rules.data ?? [], [rules.data]);

  const refresh = () => queryClient.invalidateQueries({ queryKey: rulesKey });

  const onMove = async (index: number, step: -1 | 1) => {
    const plan = movePlan(list, index, step);
    if (plan.length === 0) return;
    setBusy(list[index].id);
    try {
      for (const { rule, position } of plan) {
        await replace.mutateAsync({ id: rule.id, body: saveBody(rule, { position }) });
      }
      void message.success(t('routing.rules.moved'));
    } catch (error) {
      void message.error(describeError(t, error));
    } finally {
      setBusy(null);
      void refresh();
    }
  };

  const onToggle = (rule: RoutingRule, enabled: boolean) => {
    setBusy(rule.id);
    replace.mutate(
      { id: rule.id, body: saveBody(rule, { enabled }) },
      {
        onSuccess: () => void message.success(t(enabled ? 'routing.rules.enabledOn' : 'routing.rules.enabledOff', { name: rule.name })),
        onError: (error) => void message.error(describeError(t, error)),
        onSettled: () => {
          setBusy(null);
          void refresh();
        },
      },
    );
  };

  const onDelete = (rule: RoutingRule) =>
    remove.mutateAsync(rule.id).then(
      () => void message.success(t('routing.rules.deleted', { name: rule.name })),
      (error: unknown) => void message.error(describeError(t, error)),
    );

  const columns: TableProps<RoutingRule>['columns'] = [
    {
      title: t('routing.rules.position'),
      dataIndex: 'position',
      width: admin ? 120 : 70,
      render: (_, rule, index) => (
        <Flex align="center" gap={4}>
          <span className={styles.position}>{rule.position}</span>
          {admin && (
            <>
              <Tooltip title={t('routing.rules.moveUp')}>
                <Button
                  type="text"
                  size="small"
                  icon={<ArrowUpOutlined />}
                  disabled={index === 0 || busy !== null}
                  onClick={() => void onMove(index, -1)}
                  aria-label={t('routing.rules.moveUpOf', { name: rule.name })}
                />
              </Tooltip>
              <Tooltip title={t('routing.rules.moveDown')}>
                <Button
                  type="text"
                  size="small"
                  icon={<ArrowDownOutlined />}
                  disabled={index === list.length - 1 || busy !== null}
                  onClick={() => void onMove(index, 1)}
                  aria-label={t('routing.rules.moveDownOf', { name: rule.name })}
                />
              </Tooltip>
            </>
          )}
        </Flex>
      ),
    },
    {
      title: t('routing.rules.name'),
      dataIndex: 'name',
      render: (_, rule) => (
        <Typography.Link strong onClick={() => setEditing({ open: true, rule })}>
          {rule.name}
        </Typography.Link>
      ),
    },
    {
      title: t('routing.rules.enabled'),
      dataIndex: 'enabled',
      width: 80,
      render: (_, rule) => (
        <Switch
          size="small"
          checked={rule.enabled}
          disabled={!admin || (busy !== null && busy !== rule.id)}
          loading={busy === rule.id && replace.isPending}
          onChange={(checked) => onToggle(rule, checked)}
          aria-label={t('routing.rules.enabledOf', { name: rule.name })}
        />
      ),
    },
    {
      title: t('routing.rules.conditions'),
      key: 'conditions',
      ellipsis: { showTitle: false },
      render: (_, rule) => {
        const text = summarize(t, rule.conditions, fields.data ?? []);
        return (
          <Tooltip title={text} placement="topLeft">
            <span className={styles.summary}>{text}</span>
          </Tooltip>
        );
      },
    },
    {
      title: t('routing.rules.target'),
      key: 'target',
      render: (_, rule) => (
        <Flex gap={4} wrap className={styles.targetCell}>
          {rule.route.teams && rule.route.teams.length > 0 ? (
            rule.route.teams.map((id) => (
              <Tag key={id} color="blue" variant="filled" className={styles.tightTag}>
                {names.team(id)}
              </Tag>
            ))
          ) : (
            <Tag variant="filled" className={styles.tightTag}>
              {t('routing.route.anyAgent')}
            </Tag>
          )}
          {rule.route.agent_id != null && (
            <Tag color="purple" variant="filled" className={styles.tightTag}>
              {t('routing.rules.dedicated', { name: names.agent(rule.route.agent_id) })}
            </Tag>
          )}
          {rule.route.priority && <PriorityTag priority={rule.route.priority} compact />}
          <Typography.Text type="secondary" className={styles.small}>
            {strategyLabel(t, rule.route.strategy ?? 'least_load')}
          </Typography.Text>
        </Flex>
      ),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      width: admin ? 90 : 60,
      align: 'right',
      render: (_, rule) => (
        <Space size={4}>
          <Tooltip title={admin ? t('common.edit') : t('routing.rules.view')}>
            <Button
              type="text"
              size="small"
              icon={admin ? <EditOutlined /> : <EyeOutlined />}
              onClick={() => setEditing({ open: true, rule })}
              aria-label={t(admin ? 'routing.rules.editOf' : 'routing.rules.viewOf', { name: rule.name })}
            />
          </Tooltip>
          {admin && (
            <Popconfirm
              title={t('routing.rules.deleteConfirmTitle', { name: rule.name })}
              description={t('routing.rules.deleteConfirm')}
              okText={t('common.delete')}
              okButtonProps={{ danger: true }}
              cancelText={t('common.cancel')}
              onConfirm={() => onDelete(rule)}
            >
              <Tooltip title={t('common.delete')}>
                <Button
                  type="text"
                  size="small"
                  danger
                  icon={<DeleteOutlined />}
                  aria-label={t('routing.rules.deleteOf', { name: rule.name })}
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
      <Flex justify="space-between" align="center" gap={12} wrap className={styles.tabBar}>
        <Typography.Text type="secondary" className={styles.small}>
          {t('routing.rules.description')}
        </Typography.Text>
        {admin && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ open: true, rule: null })}>
            {t('routing.rules.create')}
          </Button>
        )}
      </Flex>
      <Card variant="outlined" styles={{ body: { padding: 0 } }}>
        <Table<RoutingRule>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={list}
          loading={rules.isPending}
          pagination={false}
          scroll={{ x: 860 }}
          rowClassName={(rule) => (rule.enabled ? '' : styles.disabledRow)}
          locale={{ emptyText: rules.isError ? describeError(t, rules.error) : t('routing.rules.empty') }}
        />
      </Card>
      <RuleFormDrawer
        open={editing.open}
        rule={editing.open ? editing.rule : null}
        readOnly={!admin}
        onClose={() => setEditing({ open: false })}
      />
    </>
  );
}
