import { Flex, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../i18n/format';
import { LATENESS_COLOR, PRIORITY_COLOR } from './present';
import type { Todo } from './types';

/** Priority, due time coloured by lateness (overdue red, due soon amber), status, repeat, source. */
export function TodoTags({ todo, timeZone }: { todo: Todo; timeZone: string }) {
  const { t } = useTranslation();
  return (
    <Flex wrap gap={4}>
      <Tag color={PRIORITY_COLOR[todo.priority]}>{t(`todos.priority.${todo.priority}`, todo.priority)}</Tag>
      {todo.due_at !== null && todo.due_at !== undefined && (
        <Tag color={LATENESS_COLOR[todo.lateness]} data-lateness={todo.lateness}>
          {t(`todos.lateness.${todo.lateness}`, todo.lateness)} · {formatDateTime(todo.due_at, timeZone)}
        </Tag>
      )}
      {todo.status !== 'open' && <Tag>{t(`todos.status.${todo.status}`, todo.status)}</Tag>}
      {todo.status === 'snoozed' && todo.snoozed_until && (
        <Tag>{t('todos.snoozedUntil', { time: formatDateTime(todo.snoozed_until, timeZone) })}</Tag>
      )}
      {todo.repeat && <Tag color="cyan">{t(`todos.repeat.${todo.repeat}`, todo.repeat)}</Tag>}
      {todo.waits && <Tag color="purple">{t('todos.context.waits')}</Tag>}
      {todo.source === 'rule' && <Tag color="geekblue">{t('todos.source.rule')}</Tag>}
    </Flex>
  );
}
