import { useContext, useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { App as AntApp, Badge, Button, Drawer, Empty, Flex, Grid, List, Popover, Spin, Typography } from 'antd';
import { BellOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { describeError } from '../../api/errorText';
import { formatDateTime } from '../../i18n/format';
import { SharedSocketContext, useNoticeFrames } from '../../realtime/hooks';
import type { NotificationDelivery } from '../../api/types';
import { useCurrentSession } from '../auth/session';
import { noticeTarget, readAssignment, readMention, todoPath } from './model';
import { myNoticesKey, unreadKey, useMyNotices, useReadAllNotices, useReadNotice, useUnreadCount } from './queries';
import styles from './Notifications.module.css';

/** Notices that only refresh a to-do list; they are not kept in the notification list. */
const UNSTORED = new Set(['todo_created', 'todo_updated']);

/**
 * The server publishes a notice frame inside the transaction that stores the notice, so a
 * count asked for at once can miss it: the badge counts the frame at once and asks the server
 * again after this long.
 */
export const NOTICE_SETTLE_MS = 1500;

/**
 * The bell in the header: the unread count of the agent's own notices, kept current by live
 * `notice` frames, and a list of them; a click marks one read and opens what it is about.
 */
export function NotificationBell() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { account } = useCurrentSession();
  const [open, setOpen] = useState(false);
  const unread = useUnreadCount();
  const notices = useMyNotices(open);
  const read = useReadNotice();
  const readAll = useReadAllNotices();
  const socket = useContext(SharedSocketContext);
  // Phones get the list in a drawer from the top: a popover under the bell would run off the screen.
  const mobile = Grid.useBreakpoint().md === false;

  useNoticeFrames((frame) => {
    if (UNSTORED.has(frame.kind)) return;
    queryClient.setQueryData<number>(unreadKey, (count) => (count ?? 0) + 1);
    setTimeout(() => void queryClient.invalidateQueries({ queryKey: myNoticesKey }), NOTICE_SETTLE_MS);
  });
  // Frames missed while disconnected are in the list: count again after a reconnect.
  useEffect(
    () =>
      socket?.subscribe((event) => {
        if (event.type === 'welcome' && event.reconnect) void queryClient.invalidateQueries({ queryKey: myNoticesKey });
      }),
    [socket, queryClient],
  );

  const openNotice = async (notice: NotificationDelivery) => {
    setOpen(false);
    try {
      if (notice.read_at === null || notice.read_at === undefined) await read.mutateAsync(notice.id);
      const target = noticeTarget(notice.params, notice.ticket_id);
      if (target === null) return;
      const path =
        'path' in target
          ? target.path
          : todoPath(await unwrap(api.GET('/api/v1/todos/{id}', { params: { path: { id: target.todoId } } })));
      if (path) void navigate(path);
    } catch (error) {
      void message.error(describeError(t, error));
    }
  };

  /**
   * A mention reads "who mentioned you" over the start of the note; a handover "who handed you a
   * conversation" over the transfer note (or the conversation's number without one).
   */
  const noticeText = (notice: NotificationDelivery): { subject: string; body: string | null | undefined } => {
    if (notice.notice_kind === 'mention') {
      const mention = readMention(notice.params);
      if (mention)
        return { subject: mention.by ? t('notifications.mention.title', { by: mention.by }) : notice.subject, body: mention.excerpt };
    }
    if (notice.notice_kind === 'assigned') {
      const assignment = readAssignment(notice.params);
      if (assignment)
        return {
          subject: assignment.by ? t('notifications.assigned.title', { by: assignment.by }) : notice.subject,
          body:
            assignment.note ??
            (assignment.conversationNumber !== null
              ? t('notifications.assigned.conversation', { number: assignment.conversationNumber })
              : null),
        };
    }
    return { subject: notice.subject, body: notice.body };
  };

  const count = unread.data ?? 0;
  const items = notices.data ?? [];
  const content = (
    <div className={styles.bellPanel}>
      <Flex justify="space-between" align="center" className={styles.bellHead}>
        <Typography.Text strong>{t('notifications.bell.title')}</Typography.Text>
        <Button
          type="link"
          size="small"
          disabled={count === 0}
          loading={readAll.isPending}
          onClick={() => readAll.mutate(undefined, { onError: (error) => void message.error(describeError(t, error)) })}
        >
          {t('notifications.bell.readAll')}
        </Button>
      </Flex>
      {notices.isPending ? (
        <Flex justify="center" className={styles.bellEmpty}>
          <Spin />
        </Flex>
      ) : notices.isError ? (
        <Typography.Text type="danger">{describeError(t, notices.error)}</Typography.Text>
      ) : items.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('notifications.bell.empty')} />
      ) : (
        <List
          className={styles.bellList}
          dataSource={items}
          renderItem={(notice) => {
            const unreadNotice = notice.read_at === null || notice.read_at === undefined;
            const { subject, body } = noticeText(notice);
            return (
              <List.Item
                className={`${styles.bellItem} ${unreadNotice ? styles.bellUnread : ''}`}
                onClick={() => void openNotice(notice)}
                role="button"
                tabIndex={0}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') void openNotice(notice);
                }}
                aria-label={subject}
              >
                {/* Subject and body are plain text from rules, templates and notes: never HTML. */}
                <div className={styles.bellText}>
                  <div className={styles.bellSubject}>
                    {unreadNotice && <Badge status="processing" aria-label={t('notifications.bell.unread')} />} {subject}
                  </div>
                  {body && body !== subject && (
                    <Typography.Paragraph type="secondary" ellipsis={{ rows: 2 }} className={styles.bellBody}>
                      {body}
                    </Typography.Paragraph>
                  )}
                  <Typography.Text type="secondary" className={styles.bellTime}>
                    {t(`notifications.bell.kinds.${notice.notice_kind ?? 'other'}`, { defaultValue: notice.notice_kind ?? '' })}
                    {' · '}
                    {formatDateTime(notice.created_at, account.timezone)}
                  </Typography.Text>
                </div>
              </List.Item>
            );
          }}
        />
      )}
    </div>
  );

  const button = (
    <Button
      type="text"
      aria-label={count > 0 ? t('notifications.bell.labelUnread', { count }) : t('notifications.bell.label')}
      onClick={mobile ? () => setOpen(true) : undefined}
      icon={
        <Badge count={count} size="small" overflowCount={99}>
          <BellOutlined className={styles.bellIcon} />
        </Badge>
      }
    />
  );

  if (mobile) {
    return (
      <>
        {button}
        <Drawer open={open} onClose={() => setOpen(false)} placement="top" size="auto" closable={false} styles={{ body: { padding: 12 } }}>
          {content}
        </Drawer>
      </>
    );
  }
  return (
    <Popover content={content} trigger="click" open={open} onOpenChange={setOpen} placement="bottomRight" arrow={false}>
      {button}
    </Popover>
  );
}
