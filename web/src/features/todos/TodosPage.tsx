import { useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { Alert, Button, Flex, Segmented, Select, Skeleton, Switch, Tabs, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useCurrentSession } from '../auth/session';
import { canSupervise } from '../auth/roles';
import { useUsers } from '../users/queries';
import { describeError } from '../../api/errorText';
import { useTodos } from './queries';
import { TodoContextDrawer } from './TodoContextDrawer';
import { TodoFormDrawer } from './TodoFormDrawer';
import { TodoList } from './TodoList';
import { ShiftStart } from './ShiftStart';
import { TODO_PRIORITIES, type Todo, type TodoView } from './types';
import styles from './Todos.module.css';

const STATUS_FILTERS = ['open', 'snoozed', 'done', 'cancelled'] as const;

/** Mine, my team's and (supervisors) everyone's to-dos, with filters and the context of one. */
export default function TodosPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { todoId } = useParams();
  const { user, account } = useCurrentSession();
  const supervisor = canSupervise(user.role);
  const [view, setView] = useState<TodoView>('mine');
  const [status, setStatus] = useState<string>('open');
  const [priority, setPriority] = useState<string | undefined>();
  const [overdue, setOverdue] = useState(false);
  const [ownerId, setOwnerId] = useState<number | undefined>();
  const [editing, setEditing] = useState<Todo | null>(null);
  const [formOpen, setFormOpen] = useState(false);
  const todos = useTodos({ view, status, priority, overdue, owner_id: view === 'mine' ? undefined : ownerId });
  const users = useUsers();
  const openId = todoId ? Number(todoId) : null;

  const views: TodoView[] = supervisor ? ['mine', 'team', 'all'] : ['mine', 'team'];
  const ownerName = (id: number) => users.data?.find((u) => u.id === id)?.name ?? `#${id}`;

  return (
    <div className={styles.page}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t('todos.title')}
        </Typography.Title>
        <Flex gap={8} wrap>
          <ShiftStart timeZone={account.timezone} />
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => {
              setEditing(null);
              setFormOpen(true);
            }}
          >
            {t('todos.new')}
          </Button>
        </Flex>
      </Flex>
      <Tabs
        activeKey={view}
        onChange={(key) => setView(key as TodoView)}
        items={views.map((v) => ({ key: v, label: t(`todos.view.${v}`) }))}
      />
      <div className={styles.toolbar} role="group" aria-label={t('todos.filters')}>
        <Segmented
          value={status}
          onChange={(v) => setStatus(String(v))}
          options={STATUS_FILTERS.map((s) => ({ value: s, label: t(`todos.statusFilter.${s}`) }))}
        />
        <Select
          allowClear
          value={priority}
          onChange={(v) => setPriority(v)}
          placeholder={t('todos.anyPriority')}
          aria-label={t('todos.form.priority')}
          style={{ minWidth: 140 }}
          options={TODO_PRIORITIES.map((p) => ({ value: p, label: t(`todos.priority.${p}`) }))}
        />
        {view !== 'mine' && (
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            value={ownerId}
            onChange={(v) => setOwnerId(v)}
            placeholder={t('todos.owner')}
            aria-label={t('todos.owner')}
            style={{ minWidth: 160 }}
            options={(users.data ?? []).map((u) => ({ value: u.id, label: u.name }))}
          />
        )}
        <Flex align="center" gap={6}>
          <Switch size="small" checked={overdue} onChange={setOverdue} aria-label={t('todos.overdueOnly')} />
          <span>{t('todos.overdueOnly')}</span>
        </Flex>
      </div>
      {todos.isPending ? (
        <Skeleton active />
      ) : todos.isError ? (
        <Alert type="warning" showIcon title={describeError(t, todos.error)} />
      ) : (
        <TodoList
          todos={todos.data}
          timeZone={account.timezone}
          ownerName={view === 'mine' ? undefined : ownerName}
          onOpen={(todo) => void navigate(`/todos/${todo.id}`)}
        />
      )}
      <TodoContextDrawer
        todoId={openId}
        onClose={() => void navigate('/todos')}
        onEdit={(todo) => {
          setEditing(todo);
          setFormOpen(true);
        }}
      />
      <TodoFormDrawer open={formOpen} todo={editing} onClose={() => setFormOpen(false)} />
    </div>
  );
}
