import { useState } from 'react';
import { useNavigate } from 'react-router';
import { App as AntApp, Button, Drawer, Empty, Modal, Space, Tag, Typography } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useCurrentSession } from '../auth/session';
import { useNoticeFrames } from '../../realtime/hooks';
import { describeError } from '../../api/errorText';
import { formatDateTime } from '../../i18n/format';
import { todosKey, useCreateTodo, useUpdateTodo } from './queries';
import { LATENESS_COLOR, PRIORITY_COLOR, sortTodos } from './present';
import { readNotice, type DigestItem, type Reminder } from './notices';
import { snoozeUntil } from './snooze';
import styles from './Todos.module.css';

/**
 * Live agent notices. Reminders without storms (D5): a strong reminder (high and urgent to-dos) is
 * a pop-up with snooze / done / open, a light one a toast; the daily list arrives at shift start in
 * a drawer; a tag the account prompts for offers to create a to-do. Lists refresh when a to-do
 * changes. A mention in a colleague's note, and a conversation someone else handed the agent (with
 * the transfer note), are toasts that open the conversation.
 */
export function TodoNotices() {
  const { t } = useTranslation();
  const { notification, message } = AntApp.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { account } = useCurrentSession();
  const tz = account.timezone;
  const update = useUpdateTodo();
  const create = useCreateTodo();
  const [strong, setStrong] = useState<Reminder[]>([]);
  const [digest, setDigest] = useState<{ title: string; items: DigestItem[] } | null>(null);

  /** A toast about a conversation (a mention, a handover): a click on it or its button opens it. */
  const conversationToast = (toast: {
    key: string;
    title: string;
    description: string | undefined;
    conversationId: number;
    conversationNumber: number | null;
  }) => {
    const open = () => {
      notification.destroy(toast.key);
      void navigate(`/inbox/${toast.conversationId}`);
    };
    notification.info({
      key: toast.key,
      title: toast.title,
      description: toast.description,
      className: styles.clickableNotice,
      onClick: open,
      actions: (
        <Button
          size="small"
          type="link"
          onClick={(event) => {
            event.stopPropagation();
            open();
          }}
        >
          {toast.conversationNumber !== null
            ? t('notifications.mention.openNumber', { number: toast.conversationNumber })
            : t('notifications.mention.open')}
        </Button>
      ),
    });
  };

  useNoticeFrames((frame) => {
    const action = readNotice(frame);
    switch (action.kind) {
      case 'changed':
        void queryClient.invalidateQueries({ queryKey: todosKey });
        break;
      case 'reminder': {
        const r = action.reminder;
        void queryClient.invalidateQueries({ queryKey: todosKey });
        if (r.strength === 'strong') {
          setStrong((queue) => (queue.some((x) => x.todoId === r.todoId) ? queue : [...queue, r]));
        } else {
          const key = `todo-reminder-${r.todoId}`;
          notification.info({
            key,
            title: t('todos.notices.reminder'),
            description: r.title,
            actions: (
              <Button
                size="small"
                type="link"
                onClick={() => {
                  notification.destroy(key);
                  void navigate(`/todos/${r.todoId}`);
                }}
              >
                {t('todos.notices.open')}
              </Button>
            ),
          });
        }
        break;
      }
      case 'digest':
        setDigest({ title: action.title, items: action.items });
        break;
      case 'prompt': {
        const p = action.prompt;
        const key = `todo-prompt-${p.conversationId}-${p.tag}`;
        notification.open({
          key,
          title: t('todos.notices.promptTitle'),
          description: t('todos.notices.prompt', { tag: p.tag }),
          duration: 0,
          actions: (
            <Button
              size="small"
              type="primary"
              onClick={() => {
                notification.destroy(key);
                create.mutate(
                  p.template
                    ? { conversation_id: p.conversationId, template: p.template }
                    : { conversation_id: p.conversationId, title: t('todos.notices.promptTodoTitle', { tag: p.tag }) },
                  {
                    onSuccess: (todo) => void message.success(t('todos.form.created', { title: todo.title })),
                    onError: (error) => void message.error(describeError(t, error)),
                  },
                );
              }}
            >
              {t('todos.notices.createTodo')}
            </Button>
          ),
        });
        break;
      }
      case 'automation':
        notification.info({ title: t('todos.notices.automation'), description: action.message });
        break;
      case 'mention': {
        const m = action.mention;
        // The excerpt is the note's plain text: shown as text, never as HTML.
        conversationToast({
          key: `mention-${m.conversationId}-${m.messageId ?? m.excerpt}`,
          title: m.by ? t('notifications.mention.title', { by: m.by }) : action.subject,
          description: m.excerpt,
          conversationId: m.conversationId,
          conversationNumber: m.conversationNumber,
        });
        break;
      }
      case 'assigned': {
        const a = action.assignment;
        // The transfer note is plain text too: shown as text, never as HTML.
        conversationToast({
          key: `assigned-${a.conversationId}`,
          title: a.by ? t('notifications.assigned.title', { by: a.by }) : action.subject,
          description: a.note ?? undefined,
          conversationId: a.conversationId,
          conversationNumber: a.conversationNumber,
        });
        break;
      }
      default:
        break;
    }
  });

  const current = strong[0];
  const next = () => setStrong((queue) => queue.slice(1));
  const act = (body: { status: string; snoozed_until?: number }) =>
    current &&
    update.mutate(
      { id: current.todoId, body },
      { onSuccess: next, onError: (error) => void message.error(describeError(t, error)) },
    );

  return (
    <>
      <Modal
        open={current !== undefined}
        title={t('todos.notices.strongTitle')}
        onCancel={next}
        mask={{ closable: false }}
        footer={
          current && (
            <Space wrap>
              <Button onClick={() => act({ status: 'snoozed', snoozed_until: snoozeUntil('1h', Date.now(), tz) })} loading={update.isPending}>
                {t('todos.snooze.1h')}
              </Button>
              <Button
                onClick={() => {
                  next();
                  void navigate(`/todos/${current.todoId}`);
                }}
              >
                {t('todos.notices.open')}
              </Button>
              <Button type="primary" onClick={() => act({ status: 'done' })} loading={update.isPending}>
                {t('todos.actions.complete')}
              </Button>
            </Space>
          )
        }
      >
        {current && (
          <div data-testid="strong-reminder">
            <Typography.Title level={5}>{current.title}</Typography.Title>
            <Space>
              <Tag color={PRIORITY_COLOR[current.priority]}>{t(`todos.priority.${current.priority}`, current.priority)}</Tag>
              {current.dueAt !== null && <span>{t('todos.notices.due', { time: formatDateTime(current.dueAt, tz) })}</span>}
            </Space>
            {strong.length > 1 && (
              <Typography.Paragraph type="secondary">{t('todos.notices.more', { count: strong.length - 1 })}</Typography.Paragraph>
            )}
          </div>
        )}
      </Modal>
      <Drawer open={digest !== null} onClose={() => setDigest(null)} title={t('todos.notices.digestTitle')} size={420}>
        {digest && digest.items.length > 0 ? (
          <ul className={styles.panelList} aria-label={t('todos.notices.digestTitle')}>
            {sortTodos(digest.items.map((i) => ({ ...i, id: i.todoId, due_at: i.dueAt }))).map((i) => (
              <li key={i.todoId} className={styles.panelItem} style={{ borderLeftColor: i.lateness === 'overdue' ? '#f5222d' : i.lateness === 'due_soon' ? '#faad14' : '#1677ff' }}>
                <Typography.Link
                  className={styles.panelItemTitle}
                  onClick={() => {
                    setDigest(null);
                    void navigate(`/todos/${i.todoId}`);
                  }}
                >
                  {i.title}
                </Typography.Link>
                <Tag color={PRIORITY_COLOR[i.priority]}>{t(`todos.priority.${i.priority}`, i.priority)}</Tag>
                {i.dueAt !== null && (
                  <Tag color={LATENESS_COLOR[i.lateness]}>{formatDateTime(i.dueAt, tz)}</Tag>
                )}
              </li>
            ))}
          </ul>
        ) : (
          <Empty description={t('todos.empty')} />
        )}
      </Drawer>
    </>
  );
}
