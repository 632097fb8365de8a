import { Empty, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../i18n/format';
import { sortTodos, stripeColor } from './present';
import { TodoActions } from './TodoActions';
import { TodoTags } from './TodoTags';
import type { Todo } from './types';
import styles from './Todos.module.css';

/** To-dos sorted by due time then priority, each with its colour stripe and quick actions. */
export function TodoList({
  todos,
  timeZone,
  ownerName,
  onOpen,
}: {
  todos: readonly Todo[];
  timeZone: string;
  /** Shown on lists of other people's to-dos. */
  ownerName?: (id: number) => string;
  onOpen: (todo: Todo) => void;
}) {
  const { t } = useTranslation();
  if (todos.length === 0) return <Empty description={t('todos.empty')} />;
  return (
    <ul className={styles.list} aria-label={t('todos.listLabel')}>
      {sortTodos(todos).map((todo) => (
        <li
          key={todo.id}
          className={styles.item}
          style={{ borderLeftColor: stripeColor(todo) }}
          data-testid={`todo-${todo.id}`}
          data-lateness={todo.lateness}
          onClick={() => onOpen(todo)}
        >
          <div className={styles.itemMain}>
            <Typography.Link className={styles.itemTitle} onClick={() => onOpen(todo)}>
              {todo.title}
            </Typography.Link>
            <TodoTags todo={todo} timeZone={timeZone} />
            <span className={styles.itemMeta}>
              {ownerName && `${t('todos.form.owner')}: ${ownerName(todo.owner_id)} · `}
              {t('todos.context.created')}: {formatDateTime(todo.created_at, timeZone)}
            </span>
          </div>
          <TodoActions todo={todo} />
        </li>
      ))}
    </ul>
  );
}
