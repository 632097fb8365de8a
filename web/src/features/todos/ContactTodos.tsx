import { useState } from 'react';
import { useNavigate } from 'react-router';
import { App as AntApp, Button, Dropdown, Empty, Skeleton, Space, Tooltip, Typography } from 'antd';
import { DownOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useCurrentSession } from '../auth/session';
import { canSupervise } from '../auth/roles';
import { describeError } from '../../api/errorText';
import { formatDateTime } from '../../i18n/format';
import { useCreateTodo, useTemplates, useTodos } from './queries';
import { sortTodos, stripeColor } from './present';
import { TodoActions } from './TodoActions';
import { TodoFormDrawer, type TodoPrefill } from './TodoFormDrawer';
import styles from './Todos.module.css';

/**
 * The "待办" section of the inbox's context panel: the contact's open to-dos, and one click to
 * turn the conversation into a to-do (the server captures its summary and fields), plain or from
 * a template, or with every field in the form.
 */
export function ContactTodos({
  conversation,
}: {
  conversation: { id: number; number: number; contact_id: number };
}) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const { user, account } = useCurrentSession();
  const todos = useTodos({ view: canSupervise(user.role) ? 'all' : 'mine', status: 'open', contact_id: conversation.contact_id });
  const templates = useTemplates();
  const create = useCreateTodo();
  const [formOpen, setFormOpen] = useState(false);
  const prefill: TodoPrefill = {
    conversation_id: conversation.id,
    contact_id: conversation.contact_id,
    title: t('todos.panel.defaultTitle', { number: conversation.number }),
  };

  const quickCreate = (template?: string) =>
    create.mutate(
      {
        conversation_id: conversation.id,
        ...(template ? { template } : { title: prefill.title }),
      },
      {
        onSuccess: (todo) => void message.success(t('todos.form.created', { title: todo.title })),
        onError: (error) => void message.error(describeError(t, error)),
      },
    );

  const templateItems = [
    ...(templates.data ?? []).map((tpl) => ({ key: `tpl:${tpl.key}`, label: tpl.name })),
    ...(templates.data && templates.data.length > 0 ? [{ type: 'divider' as const }] : []),
    { key: 'form', label: t('todos.panel.withForm') },
  ];

  return (
    <div data-testid="contact-todos">
      <Space.Compact size="small" style={{ marginBottom: 8 }}>
        <Tooltip title={t('todos.panel.quickHint')}>
          <Button size="small" icon={<PlusOutlined />} loading={create.isPending} onClick={() => quickCreate()}>
            {t('todos.panel.quickCreate')}
          </Button>
        </Tooltip>
        <Dropdown
          trigger={['click']}
          menu={{
            items: templateItems,
            onClick: ({ key }) => (key === 'form' ? setFormOpen(true) : quickCreate(key.slice(4))),
          }}
        >
          <Button size="small" icon={<DownOutlined />} aria-label={t('todos.panel.moreCreate')} />
        </Dropdown>
      </Space.Compact>
      {todos.isPending ? (
        <Skeleton active paragraph={{ rows: 1 }} title={false} />
      ) : todos.isError ? (
        <Typography.Text type="secondary">{describeError(t, todos.error)}</Typography.Text>
      ) : todos.data.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('todos.panel.none')} />
      ) : (
        <ul className={styles.panelList} aria-label={t('todos.panel.title')}>
          {sortTodos(todos.data).map((todo) => (
            <li key={todo.id} className={styles.panelItem} style={{ borderLeftColor: stripeColor(todo) }}>
              <span
                className={styles.panelItemTitle}
                title={todo.title}
                role="link"
                tabIndex={0}
                onClick={() => void navigate(`/todos/${todo.id}`)}
                onKeyDown={(e) => e.key === 'Enter' && void navigate(`/todos/${todo.id}`)}
              >
                {todo.title}
                {todo.due_at ? (
                  <Typography.Text type={todo.lateness === 'overdue' ? 'danger' : 'secondary'} className={styles.itemMeta}>
                    {' '}
                    {formatDateTime(todo.due_at, account.timezone)}
                  </Typography.Text>
                ) : null}
              </span>
              <TodoActions todo={todo} />
            </li>
          ))}
        </ul>
      )}
      <TodoFormDrawer open={formOpen} todo={null} prefill={prefill} onClose={() => setFormOpen(false)} />
    </div>
  );
}
