import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { Alert, Button, Descriptions, Drawer, Empty, Flex, Skeleton, Steps, Tag, Typography } from 'antd';
import { EditOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useCurrentSession } from '../auth/session';
import { useUsers } from '../users/queries';
import { describeError } from '../../api/errorText';
import { asArray, asNumber, asObject, asString, displayValue, safeHttpUrl } from '../../api/open';
import { formatDateTime } from '../../i18n/format';
import { useTodoContext } from './queries';
import { TodoActions } from './TodoActions';
import { TodoTags } from './TodoTags';
import type { Todo } from './types';
import styles from './Todos.module.css';

function Block({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className={styles.block} aria-label={title}>
      <Typography.Title level={5} className={styles.blockTitle}>
        {title}
      </Typography.Title>
      {children}
    </section>
  );
}

/** The last messages of a conversation snapshot (`summary`: from, text, at). */
function Summary({ raw, timeZone }: { raw: unknown; timeZone: string }) {
  const { t } = useTranslation();
  const lines = asArray(raw).map(asObject);
  if (lines.length === 0) return <Typography.Text type="secondary">{t('todos.context.noMessages')}</Typography.Text>;
  return (
    <ol className={styles.summary}>
      {lines.map((m, i) => (
        <li key={i} className={asString(m.from) === 'agent' ? styles.fromAgent : undefined}>
          <span className={styles.summaryFrom}>{t(`todos.context.from.${asString(m.from) || 'system'}`, asString(m.from))}</span>
          <span className={styles.summaryText}>{asString(m.text)}</span>
          <time className={styles.summaryAt}>{formatDateTime(asNumber(m.at) ?? asString(m.at), timeZone)}</time>
        </li>
      ))}
    </ol>
  );
}

/**
 * Opening a to-do shows its context on the same screen (D1): the contact's profile, tags and page
 * trail, the conversation now and when the to-do was made, the ticket and the follow-up chain —
 * all from one `/context` call.
 */
export function TodoContextDrawer({
  todoId,
  onClose,
  onEdit,
}: {
  todoId: number | null;
  onClose: () => void;
  onEdit: (todo: Todo) => void;
}) {
  const { t } = useTranslation();
  const { account } = useCurrentSession();
  const tz = account.timezone;
  const context = useTodoContext(todoId);
  const users = useUsers();
  const userName = (id: unknown) => {
    const n = asNumber(id);
    return n === null ? '' : (users.data?.find((u) => u.id === n)?.name ?? `#${n}`);
  };
  const data = context.data;
  const todo = data?.todo;
  const contact = data?.contact ? asObject(data.contact) : null;
  const conversation = data?.conversation ? asObject(data.conversation) : null;
  const conv = conversation ? asObject(conversation.conversation) : null;
  const atCreation = conversation ? asObject(conversation.at_creation) : null;
  const ticket = data?.ticket ? asObject(data.ticket) : null;
  const chain = data?.chain ? asObject(data.chain) : null;

  return (
    <Drawer
      open={todoId !== null}
      onClose={onClose}
      size={560}
      title={todo?.title ?? t('todos.context.title')}
      extra={
        todo && (
          <Flex gap={8}>
            <TodoActions todo={todo} size="middle" />
            <Button icon={<EditOutlined />} onClick={() => onEdit(todo)}>
              {t('todos.actions.edit')}
            </Button>
          </Flex>
        )
      }
    >
      {context.isPending ? (
        <Skeleton active />
      ) : context.isError ? (
        <Alert type="error" showIcon title={describeError(t, context.error)} />
      ) : todo ? (
        <div data-testid="todo-context">
          <Block title={t('todos.context.todo')}>
            <TodoTags todo={todo} timeZone={tz} />
            {todo.note && <Typography.Paragraph className={styles.note}>{todo.note}</Typography.Paragraph>}
            <Descriptions size="small" column={1}>
              <Descriptions.Item label={t('todos.form.owner')}>{userName(todo.owner_id)}</Descriptions.Item>
              {todo.collaborators.length > 0 && (
                <Descriptions.Item label={t('todos.form.collaborators')}>
                  {todo.collaborators.map(userName).join('、')}
                </Descriptions.Item>
              )}
              <Descriptions.Item label={t('todos.context.source')}>{t(`todos.source.${todo.source}`, todo.source)}</Descriptions.Item>
              {todo.remind_at !== null && todo.remind_at !== undefined && (
                <Descriptions.Item label={t('todos.form.remind')}>{formatDateTime(todo.remind_at, tz)}</Descriptions.Item>
              )}
              <Descriptions.Item label={t('todos.context.created')}>{formatDateTime(todo.created_at, tz)}</Descriptions.Item>
            </Descriptions>
          </Block>

          <Block title={t('todos.context.contact')}>
            {contact ? (
              <>
                <Descriptions size="small" column={1}>
                  <Descriptions.Item label={t('todos.context.name')}>
                    {asString(contact.name) || `#${asNumber(contact.id) ?? ''}`}
                    {contact.returning === true && <Tag className={styles.inlineTag}>{t('todos.context.returning')}</Tag>}
                  </Descriptions.Item>
                  {asString(contact.email) ? <Descriptions.Item label={t('todos.context.email')}>{asString(contact.email)}</Descriptions.Item> : null}
                  {asString(contact.phone) ? <Descriptions.Item label={t('todos.context.phone')}>{asString(contact.phone)}</Descriptions.Item> : null}
                  <Descriptions.Item label={t('todos.context.conversations')}>{asNumber(contact.conversations) ?? 0}</Descriptions.Item>
                  {asNumber(contact.owner_id) !== null && (
                    <Descriptions.Item label={t('todos.context.contactOwner')}>{userName(contact.owner_id)}</Descriptions.Item>
                  )}
                  {Object.entries(asObject(contact.attributes)).map(([k, v]) => (
                    <Descriptions.Item key={k} label={k}>
                      {displayValue(v)}
                    </Descriptions.Item>
                  ))}
                </Descriptions>
                <Flex wrap gap={4} className={styles.tags}>
                  {asArray(contact.tags).map((tag) => (
                    <Tag key={String(tag)}>{String(tag)}</Tag>
                  ))}
                </Flex>
                <Typography.Text strong>{t('todos.context.trail')}</Typography.Text>
                {asArray(contact.trail).length === 0 ? (
                  <Typography.Paragraph type="secondary">{t('todos.context.noTrail')}</Typography.Paragraph>
                ) : (
                  <ol className={styles.trail}>
                    {asArray(contact.trail).map((raw, i) => {
                      const v = asObject(raw);
                      const url = safeHttpUrl(asString(v.url));
                      const label = asString(v.title) || asString(v.url);
                      return (
                        <li key={i}>
                          {url ? (
                            <a href={url} target="_blank" rel="noopener noreferrer nofollow">
                              {label}
                            </a>
                          ) : (
                            label
                          )}{' '}
                          <Typography.Text type="secondary">{formatDateTime(asNumber(v.at) ?? asString(v.at), tz)}</Typography.Text>
                        </li>
                      );
                    })}
                  </ol>
                )}
              </>
            ) : (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('todos.context.noContact')} />
            )}
          </Block>

          {conversation && conv && (
            <Block title={t('todos.context.conversation', { number: asNumber(conv.number) ?? '' })}>
              <Flex gap={8} align="center" wrap className={styles.tags}>
                <Tag>{t(`inbox.status.${asString(conv.status)}`, asString(conv.status))}</Tag>
                {asArray(conv.tags).map((tag) => (
                  <Tag key={String(tag)} color="blue">
                    {String(tag)}
                  </Tag>
                ))}
                <Link to={`/inbox/${asNumber(conv.id) ?? ''}`}>{t('todos.context.openConversation')}</Link>
              </Flex>
              <Typography.Text strong>{t('todos.context.lastMessages')}</Typography.Text>
              <Summary raw={conversation.summary} timeZone={tz} />
              {atCreation && asArray(atCreation.summary).length > 0 && (
                <details className={styles.atCreation}>
                  <summary>{t('todos.context.atCreation')}</summary>
                  <Flex wrap gap={4} className={styles.tags}>
                    {asArray(asObject(atCreation.conversation).tags).map((tag) => (
                      <Tag key={String(tag)}>{String(tag)}</Tag>
                    ))}
                  </Flex>
                  <Summary raw={atCreation.summary} timeZone={tz} />
                </details>
              )}
            </Block>
          )}

          {ticket && (
            <Block title={t('todos.context.ticket')}>
              <Link to={`/tickets/${asNumber(ticket.id) ?? ''}`}>
                #{asString(ticket.number) || asNumber(ticket.number)} {asString(ticket.title)}
              </Link>{' '}
              <Tag>{asString(ticket.status)}</Tag>
              <Tag>{asString(ticket.priority)}</Tag>
            </Block>
          )}

          {chain && (
            <Block title={t('todos.context.chain')}>
              <Steps
                orientation="vertical"
                size="small"
                current={asNumber(chain.step) ?? 0}
                items={asArray(chain.steps).map((raw) => {
                  const s = asObject(raw);
                  const todos = asArray(s.todos).map(asObject);
                  return {
                    title: asArray(s.titles).map(String).join(' · '),
                    description: (
                      <ul className={styles.chainTodos}>
                        {todos.map((x) => (
                          <li key={asNumber(x.id) ?? 0}>
                            {asString(x.title)} — {userName(x.owner_id)}{' '}
                            <Tag>{t(`todos.status.${asString(x.status)}`, asString(x.status))}</Tag>
                            {x.waits === true && <Tag color="purple">{t('todos.context.waits')}</Tag>}
                          </li>
                        ))}
                      </ul>
                    ),
                  };
                })}
              />
            </Block>
          )}
        </div>
      ) : null}
    </Drawer>
  );
}
