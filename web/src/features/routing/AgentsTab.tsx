import { useEffect, useMemo, useState } from 'react';
import {
  App as AntApp,
  Button,
  Card,
  Flex,
  Form,
  Input,
  InputNumber,
  Modal,
  Progress,
  Select,
  Table,
  Tag,
  Tooltip,
  Typography,
  type TableProps,
} from 'antd';
import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useAgents, useUpdateAgent } from './queries';
import { useDirectory } from './names';
import { StatusDot, statusLabel } from './StatusTag';
import { STATUSES } from './trace';
import { useUsers } from '../users/queries';
import { RoleTag } from '../users/RoleTag';
import { UserAvatar } from '../users/UserAvatar';
import { applyFieldErrorPaths } from '../../api/fieldErrors';
import { describeError } from '../../api/errorText';
import { formatDateTime, formatListTime } from '../../i18n/format';
import type { AgentState, StatusName } from '../../api/types';
import styles from './Routing.module.css';

/** Every agent's availability, load and skills; supervisors set statuses, admins capacity and skills. */
export function AgentsTab({ admin }: { admin: boolean }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const agents = useAgents();
  const users = useUsers();
  const names = useDirectory();
  const update = useUpdateAgent();
  const [editing, setEditing] = useState<AgentState | null>(null);
  const byId = useMemo(() => new Map((users.data ?? []).map((u) => [u.id, u])), [users.data]);

  const onStatus = (agent: AgentState, status: StatusName) =>
    update.mutate(
      { id: agent.user_id, body: { status } },
      {
        onSuccess: () =>
          void message.success(t('routing.agents.statusChanged', { name: names.agent(agent.user_id), status: statusLabel(t, status) })),
        onError: (error) => void message.error(describeError(t, error)),
      },
    );

  const columns: TableProps<AgentState>['columns'] = [
    {
      title: t('routing.agents.agent'),
      key: 'agent',
      render: (_, agent) => {
        const user = byId.get(agent.user_id);
        return (
          <UserAvatar
            id={agent.user_id}
            name={names.agent(agent.user_id)}
            suffix={user && <RoleTag role={user.role} />}
          />
        );
      },
    },
    {
      title: t('routing.agents.status'),
      dataIndex: 'status',
      width: 150,
      render: (_, agent) => (
        <Tooltip title={agent.status_changed_at ? t('routing.agents.since', { time: formatDateTime(agent.status_changed_at) }) : undefined}>
          <Select<StatusName>
            size="small"
            value={agent.status}
            onChange={(status) => onStatus(agent, status)}
            aria-label={t('routing.agents.statusOf', { name: names.agent(agent.user_id) })}
            className={styles.statusSelect}
            options={STATUSES.map((s) => ({
              value: s,
              label: (
                <span className={styles.statusOption}>
                  <StatusDot status={s} />
                  {statusLabel(t, s)}
                </span>
              ),
            }))}
          />
        </Tooltip>
      ),
    },
    {
      title: t('routing.agents.load'),
      key: 'load',
      width: 170,
      render: (_, agent) => (
        <div className={styles.loadCell}>
          <span>
            {agent.load} / {agent.effective_capacity}
            {agent.capacity == null && (
              <Typography.Text type="secondary" className={styles.small}>
                {' '}
                {t('routing.agents.defaultCapacity')}
              </Typography.Text>
            )}
          </span>
          <Progress
            percent={agent.effective_capacity > 0 ? Math.round((agent.load / agent.effective_capacity) * 100) : 0}
            showInfo={false}
            size="small"
            status={agent.load >= agent.effective_capacity ? 'exception' : 'normal'}
          />
        </div>
      ),
    },
    {
      title: t('routing.agents.teams'),
      key: 'teams',
      render: (_, agent) =>
        agent.teams.length > 0 ? (
          <Flex gap={4} wrap>
            {agent.teams.map((id) => (
              <Tag key={id} variant="filled" className={styles.tightTag}>
                {names.team(id)}
              </Tag>
            ))}
          </Flex>
        ) : (
          <Typography.Text type="secondary">—</Typography.Text>
        ),
    },
    {
      title: t('routing.agents.skills'),
      key: 'skills',
      render: (_, agent) => {
        const skills = Object.entries(agent.skills);
        return skills.length > 0 ? (
          <Flex gap={4} wrap>
            {skills.map(([name, level]) => (
              <Tag key={name} color="geekblue" variant="filled" className={styles.tightTag}>
                {name} · {level}
              </Tag>
            ))}
          </Flex>
        ) : (
          <Typography.Text type="secondary">—</Typography.Text>
        );
      },
    },
    {
      title: t('routing.agents.lastAssigned'),
      dataIndex: 'last_assigned_at',
      width: 120,
      render: (_, agent) =>
        agent.last_assigned_at ? (
          <time dateTime={agent.last_assigned_at} title={formatDateTime(agent.last_assigned_at)}>
            {formatListTime(agent.last_assigned_at)}
          </time>
        ) : (
          <Typography.Text type="secondary">{t('routing.agents.never')}</Typography.Text>
        ),
    },
    ...(admin
      ? [
          {
            title: t('common.actions'),
            key: 'actions',
            width: 70,
            align: 'right' as const,
            render: (_: unknown, agent: AgentState) => (
              <Tooltip title={t('common.edit')}>
                <Button
                  type="text"
                  size="small"
                  icon={<EditOutlined />}
                  onClick={() => setEditing(agent)}
                  aria-label={t('routing.agents.editOf', { name: names.agent(agent.user_id) })}
                />
              </Tooltip>
            ),
          },
        ]
      : []),
  ];

  return (
    <>
      <Flex justify="space-between" align="center" className={styles.tabBar}>
        <Typography.Text type="secondary" className={styles.small}>
          {t('routing.agents.description')}
        </Typography.Text>
      </Flex>
      <Card variant="outlined" styles={{ body: { padding: 0 } }}>
        <Table<AgentState>
          rowKey="user_id"
          size="middle"
          columns={columns}
          dataSource={agents.data ?? []}
          loading={agents.isPending}
          pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
          scroll={{ x: 900 }}
          locale={{ emptyText: agents.isError ? describeError(t, agents.error) : t('routing.agents.empty') }}
        />
      </Card>
      {admin && <AgentModal agent={editing} onClose={() => setEditing(null)} />}
    </>
  );
}

type Values = { capacity: number | null; skills: Array<{ name?: string; level?: number | null }> };

/** An admin sets an agent's own capacity (empty: the team default) and skills. */
function AgentModal({ agent, onClose }: { agent: AgentState | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const names = useDirectory();
  const [form] = Form.useForm<Values>();
  const update = useUpdateAgent();
  const name = agent ? names.agent(agent.user_id) : '';

  useEffect(() => {
    if (!agent) return;
    form.resetFields();
    form.setFieldsValue({
      capacity: agent.capacity ?? null,
      skills: Object.entries(agent.skills).map(([skill, level]) => ({ name: skill, level })),
    });
  }, [agent, form]);

  const onFinish = (values: Values) => {
    if (!agent) return;
    const skills = (values.skills ?? []).filter((s) => (s.name ?? '').trim() !== '');
    update.mutate(
      {
        id: agent.user_id,
        body: {
          capacity: values.capacity ?? null,
          skills: Object.fromEntries(skills.map((s) => [(s.name ?? '').trim(), s.level ?? 1])),
        },
      },
      {
        onSuccess: () => {
          void message.success(t('routing.agents.updated', { name }));
          onClose();
        },
        onError: (error) => {
          const toPath = (field: string): Array<string | number> | null => {
            if (field === 'capacity' || field === 'skills') return [field];
            if (!field.startsWith('skills.')) return null;
            const index = skills.findIndex((s) => (s.name ?? '').trim() === field.slice('skills.'.length));
            return index >= 0 ? ['skills', index, 'name'] : ['skills'];
          };
          if (!applyFieldErrorPaths(form, error, toPath)) void message.error(describeError(t, error));
        },
      },
    );
  };

  return (
    <Modal
      open={agent !== null}
      title={t('routing.agents.editTitle', { name })}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={update.isPending}
      forceRender
      width={520}
    >
      <Form<Values> name="routing-agent" form={form} layout="vertical" onFinish={onFinish} disabled={update.isPending}>
        <Form.Item name="capacity" label={t('routing.agents.capacity')} extra={t('routing.agents.capacityHint')}>
          <InputNumber<number> min={1} max={1000} precision={0} placeholder={t('routing.agents.capacityPlaceholder')} className={styles.numberInput} />
        </Form.Item>
        <Form.Item label={t('routing.agents.skills')} extra={t('routing.agents.skillsHint')}>
          <Form.List name="skills">
            {(items, { add, remove }, { errors }) => (
              <div className={styles.skillList}>
                {items.map((item, index) => (
                  <div key={item.key} className={styles.skillRow}>
                    <Form.Item
                      name={[item.name, 'name']}
                      rules={[{ required: true, whitespace: true, message: t('validation.required') }]}
                      className={styles.skillName}
                    >
                      <Input
                        placeholder={t('routing.route.skillName')}
                        aria-label={t('routing.route.skillNameOf', { n: index + 1 })}
                        maxLength={50}
                        autoComplete="off"
                      />
                    </Form.Item>
                    <Form.Item name={[item.name, 'level']} initialValue={3} className={styles.skillMin}>
                      <InputNumber<number>
                        min={1}
                        max={5}
                        precision={0}
                        aria-label={t('routing.agents.skillLevelOf', { n: index + 1 })}
                      />
                    </Form.Item>
                    <Button
                      type="text"
                      danger
                      icon={<DeleteOutlined />}
                      onClick={() => remove(item.name)}
                      aria-label={t('routing.route.removeSkillOf', { n: index + 1 })}
                    />
                  </div>
                ))}
                <Form.ErrorList errors={errors} />
                <Button type="dashed" size="small" icon={<PlusOutlined />} onClick={() => add({ level: 3 })}>
                  {t('routing.route.addSkill')}
                </Button>
              </div>
            )}
          </Form.List>
        </Form.Item>
      </Form>
    </Modal>
  );
}
