import { App as AntApp, Button, Dropdown, Space, Tooltip } from 'antd';
import { CheckOutlined, ClockCircleOutlined, CloseOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useCurrentSession } from '../auth/session';
import { describeError } from '../../api/errorText';
import { useUpdateTodo } from './queries';
import { SNOOZE_CHOICES, snoozeUntil, type SnoozeChoice } from './snooze';
import { isOpen } from './present';
import type { Todo } from './types';

/** Quick complete / snooze / cancel of an open to-do. */
export function TodoActions({
  todo,
  size = 'small',
  onDone,
}: {
  todo: Pick<Todo, 'id' | 'title' | 'status'>;
  size?: 'small' | 'middle';
  onDone?: () => void;
}) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const { account } = useCurrentSession();
  const update = useUpdateTodo();
  if (!isOpen(todo)) return null;

  const change = (body: { status: string; snoozed_until?: number }, key: string) =>
    update.mutate(
      { id: todo.id, body },
      {
        onSuccess: () => {
          void message.success(t(`todos.actions.${key}Done`, { title: todo.title }));
          onDone?.();
        },
        onError: (error) => void message.error(describeError(t, error)),
      },
    );

  return (
    <Space size={4} onClick={(e) => e.stopPropagation()}>
      <Tooltip title={t('todos.actions.complete')}>
        <Button
          size={size}
          type="primary"
          ghost
          icon={<CheckOutlined />}
          aria-label={t('todos.actions.completeOf', { title: todo.title })}
          loading={update.isPending}
          onClick={() => change({ status: 'done' }, 'complete')}
        />
      </Tooltip>
      <Dropdown
        trigger={['click']}
        menu={{
          items: SNOOZE_CHOICES.map((c) => ({ key: c, label: t(`todos.snooze.${c}`) })),
          onClick: ({ key }) =>
            change({ status: 'snoozed', snoozed_until: snoozeUntil(key as SnoozeChoice, Date.now(), account.timezone) }, 'snooze'),
        }}
      >
        <Button size={size} icon={<ClockCircleOutlined />} aria-label={t('todos.actions.snoozeOf', { title: todo.title })} />
      </Dropdown>
      <Tooltip title={t('todos.actions.cancel')}>
        <Button
          size={size}
          danger
          icon={<CloseOutlined />}
          aria-label={t('todos.actions.cancelOf', { title: todo.title })}
          onClick={() => change({ status: 'cancelled' }, 'cancel')}
        />
      </Tooltip>
    </Space>
  );
}
