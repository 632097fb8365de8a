import { useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { App as AntApp, Alert, Avatar, Button, Dropdown, Result, Select, Space, Spin, Tooltip, Typography } from 'antd';
import {
  ArrowLeftOutlined,
  CheckOutlined,
  DownOutlined,
  FileAddOutlined,
  InfoCircleOutlined,
  RedoOutlined,
  SwapOutlined,
} from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Composer } from './Composer';
import { MessageItem, PendingItem, continues } from './MessageItem';
import { PRIORITIES } from './PriorityTag';
import { StatusTag } from './StatusTag';
import { TagEditor } from './TagEditor';
import { TransferModal } from './TransferModal';
import { mentionCandidates, mentionHandles } from './mentions';
import { initial, useContactName } from './names';
import { useConversationTag, useUpdateConversation } from './queries';
import { hasOlder, type ThreadStore } from './thread';
import { useThread } from './useThread';
import { useCurrentSession } from '../auth/session';
import { avatarColor } from '../users/UserAvatar';
import { useUsers } from '../users/queries';
import { useTeams } from '../teams/queries';
import { useTicketFromConversation } from '../tickets/queries';
import { AutomationButtons } from '../todos/AutomationButtons';
import { describeError } from '../../api/errorText';
import { formatDate, isSameDay } from '../../i18n/format';
import { useOutbox, useSocketStatus } from '../../realtime/hooks';
import type { AgentSocket } from '../../realtime/AgentSocket';
import type { Attachment, Conversation, ConversationDetail, Message } from '../../api/types';
import styles from './Inbox.module.css';

function usePageVisible(): boolean {
  const [visible, setVisible] = useState(() => typeof document === 'undefined' || document.visibilityState !== 'hidden');
  useEffect(() => {
    const update = () => setVisible(document.visibilityState !== 'hidden');
    document.addEventListener('visibilitychange', update);
    return () => document.removeEventListener('visibilitychange', update);
  }, []);
  return visible;
}

type Props = {
  conversation: Conversation;
  detail: ConversationDetail | undefined;
  socket: AgentSocket;
  threads: ThreadStore;
  contactTyping: boolean;
  /** The pane is on screen (on phones it may be hidden behind the context panel). */
  shown: boolean;
  pendingAttachments: Map<string, Attachment>;
  onChanged: (conversation: Conversation) => void;
  onBack?: () => void;
  onShowContext?: () => void;
};

export function ConversationPane({
  conversation,
  detail,
  socket,
  threads,
  contactTyping,
  shown,
  pendingAttachments,
  onChanged,
  onBack,
  onShowContext,
}: Props) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const id = conversation.id;
  const name = useContactName(conversation.contact_id);
  const { thread, retry, loadOlder } = useThread(threads, socket, id, conversation.last_seq);
  const outbox = useOutbox(socket, id);
  const status = useSocketStatus(socket);
  const pageVisible = usePageVisible();
  const update = useUpdateConversation(onChanged);
  const tag = useConversationTag(id);
  const users = useUsers();
  const { user: me } = useCurrentSession();
  const mentionNames = useMemo(() => mentionHandles(users.data ?? []), [users.data]);
  const mentionable = useMemo(() => mentionCandidates(users.data ?? [], me.id), [users.data, me.id]);
  const teams = useTeams();
  const [transferOpen, setTransferOpen] = useState(false);
  const navigate = useNavigate();
  const toTicket = useTicketFromConversation();
  const readSent = useRef(0);

  const messages = thread.messages;
  const top = messages.length > 0 ? messages[messages.length - 1].seq : 0;

  // Tell the server (and the other agents) what has been read while the conversation is in view.
  useEffect(() => {
    if (!shown || !pageVisible || status !== 'open' || top === 0) return;
    if (top <= readSent.current || top <= conversation.agent_read_seq) return;
    if (socket.read(id, top)) readSent.current = top;
  }, [shown, pageVisible, status, top, conversation.agent_read_seq, socket, id]);

  const setStatus = (next: string) =>
    update.mutate(
      { id, body: { status: next } },
      {
        onSuccess: () => void message.success(t(`inbox.statusChanged.${next}`)),
        onError: (error) => void message.error(describeError(t, error)),
      },
    );

  const createTicket = () =>
    toTicket.mutate(id, {
      onSuccess: (ticket) => {
        void message.success(t('inbox.ticketCreated', { number: ticket.number }));
        void navigate(`/tickets/${ticket.id}`);
      },
      onError: (error) => void message.error(describeError(t, error)),
    });

  const setPriority = (priority: string) =>
    update.mutate({ id, body: { priority } }, { onError: (error) => void message.error(describeError(t, error)) });

  const assignee = conversation.assignee_id != null ? users.data?.find((u) => u.id === conversation.assignee_id) : undefined;
  const team = conversation.team_id != null ? teams.data?.find((x) => x.id === conversation.team_id) : undefined;
  const active = conversation.status === 'open' || conversation.status === 'pending';

  // The contact has read our replies up to here.
  const lastAgentSeq = [...messages].reverse().find((m) => m.sender.kind === 'agent' && m.kind !== 'note')?.seq ?? 0;
  const readUpTo = conversation.contact_read_seq;

  const visiblePending = outbox.filter((p) => !messages.some((m) => m.client_id === p.client_id));

  return (
    <section className={styles.conversationPane} aria-label={t('inbox.conversationLabel', { number: conversation.number })}>
      <header className={styles.convHeader}>
        <div className={styles.convHeaderMain}>
          {onBack && (
            <Button type="text" icon={<ArrowLeftOutlined />} onClick={onBack} aria-label={t('inbox.backToList')} />
          )}
          <Avatar size={32} style={{ background: avatarColor(conversation.contact_id), flex: 'none' }}>
            {initial(name)}
          </Avatar>
          <div className={styles.convTitle}>
            <Typography.Text strong ellipsis className={styles.convName}>
              {name}
            </Typography.Text>
            <span className={styles.convSub}>
              #{conversation.number} · {assignee ? assignee.name : t('inbox.unassigned')}
              {team ? ` · ${team.name}` : ''}
            </span>
          </div>
          <StatusTag status={conversation.status} />
          {onShowContext && (
            <Tooltip title={t('inbox.context.label')}>
              <Button type="text" icon={<InfoCircleOutlined />} onClick={onShowContext} aria-label={t('inbox.context.show')} />
            </Tooltip>
          )}
        </div>
        <Space size={6} wrap className={styles.convActions}>
          <Select
            size="small"
            value={conversation.priority}
            onChange={setPriority}
            options={PRIORITIES.map((p) => ({ value: p, label: t(`inbox.priority.${p}`) }))}
            aria-label={t('inbox.priorityLabel')}
            className={styles.prioritySelect}
            prefix={<span className={styles.selectPrefix}>{t('inbox.priorityLabel')}</span>}
            popupMatchSelectWidth={false}
          />
          <Button size="small" icon={<FileAddOutlined />} onClick={createTicket} loading={toTicket.isPending}>
            {t('inbox.createTicket')}
          </Button>
          <AutomationButtons conversationId={id} />
          <Button size="small" icon={<SwapOutlined />} onClick={() => setTransferOpen(true)}>
            {t('inbox.transfer.button')}
          </Button>
          {active ? (
            <Space.Compact size="small">
              <Button size="small" type="primary" icon={<CheckOutlined />} onClick={() => setStatus('resolved')} loading={update.isPending}>
                {t('inbox.resolve')}
              </Button>
              <Dropdown
                trigger={['click']}
                menu={{
                  items: [
                    conversation.status === 'open'
                      ? { key: 'pending', label: t('inbox.markPending') }
                      : { key: 'open', label: t('inbox.markOpen') },
                    { key: 'closed', label: t('inbox.close') },
                  ],
                  onClick: ({ key }) => setStatus(key),
                }}
              >
                <Button size="small" type="primary" icon={<DownOutlined />} aria-label={t('inbox.moreStatus')} />
              </Dropdown>
            </Space.Compact>
          ) : (
            <Button size="small" icon={<RedoOutlined />} onClick={() => setStatus('open')} loading={update.isPending}>
              {t('inbox.reopen')}
            </Button>
          )}
        </Space>
      </header>
      <div className={styles.convTags}>
        <TagEditor
          tags={detail?.tags ?? []}
          busy={tag.isPending || !detail}
          addLabel={t('inbox.addTag')}
          onChange={(value, on) => tag.mutateAsync({ tag: value, on })}
        />
      </div>
      {status !== 'open' && (
        <Alert
          type={status === 'connecting' ? 'info' : 'warning'}
          banner
          showIcon
          title={status === 'connecting' ? t('inbox.connection.connecting') : t('inbox.connection.closedLong')}
          className={styles.connectionBanner}
        />
      )}
      <MessageScroller
        conversationId={id}
        messages={messages}
        pendingCount={visiblePending.length}
        onReachTop={() => void loadOlder()}
      >
        {thread.status === 'error' ? (
          <Result
            status="warning"
            title={describeError(t, thread.error)}
            extra={
              <Button onClick={retry} size="small">
                {t('common.retry')}
              </Button>
            }
          />
        ) : thread.status === 'loading' && messages.length === 0 ? (
          <div className={styles.centered}>
            <Spin />
          </div>
        ) : (
          <>
            {hasOlder(messages) && (
              <div className={styles.loadOlder}>
                <Button size="small" type="link" loading={thread.loadingOlder} onClick={() => void loadOlder()}>
                  {t('inbox.loadOlder')}
                </Button>
              </div>
            )}
            {messages.map((m, i) => (
              <MessageWithDay key={m.seq} message={m} previous={messages[i - 1]}>
                <MessageItem
                  message={m}
                  contactName={name}
                  mentions={mentionNames}
                  read={m.seq === lastAgentSeq && readUpTo >= m.seq}
                  grouped={isSameDay(messages[i - 1]?.created_at ?? '', m.created_at) && continues(messages[i - 1], m)}
                />
              </MessageWithDay>
            ))}
            {visiblePending.map((p) => (
              <PendingItem
                key={p.client_id}
                pending={p}
                attachmentName={p.attachment_id != null ? (pendingAttachments.get(p.client_id)?.name ?? null) : null}
                onRetry={() => socket.retry(p.client_id)}
                onDiscard={() => socket.discard(p.client_id)}
              />
            ))}
          </>
        )}
        {contactTyping && (
          <div className={styles.typing} role="status">
            <span className={styles.typingDots} aria-hidden>
              <i />
              <i />
              <i />
            </span>
            {t('inbox.contactTyping', { name })}
          </div>
        )}
      </MessageScroller>
      <Composer
        key={id}
        conversationId={id}
        socket={socket}
        mentionable={mentionable}
        onSent={(clientId, attachment) => {
          if (attachment) pendingAttachments.set(clientId, attachment);
        }}
      />
      <TransferModal conversation={conversation} open={transferOpen} onClose={() => setTransferOpen(false)} onChanged={onChanged} />
    </section>
  );
}

function MessageWithDay({ message, previous, children }: { message: Message; previous: Message | undefined; children: ReactNode }) {
  const newDay = !previous || !isSameDay(previous.created_at, message.created_at);
  return (
    <>
      {newDay && (
        <div className={styles.day}>
          <span>{formatDate(message.created_at)}</span>
        </div>
      )}
      {children}
    </>
  );
}

/** Keeps the newest message in view unless the reader scrolled up; keeps the place when older pages load. */
function MessageScroller({
  conversationId,
  messages,
  pendingCount,
  onReachTop,
  children,
}: {
  conversationId: number;
  messages: Message[];
  pendingCount: number;
  onReachTop: () => void;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  const innerRef = useRef<HTMLDivElement>(null);
  const snapshot = useRef({ conversationId: -1, firstSeq: 0, lastKey: '', height: 0, top: 0, nearBottom: true });
  const firstSeq = messages[0]?.seq ?? 0;
  const lastKey = `${messages[messages.length - 1]?.seq ?? 0}:${pendingCount}`;

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const prev = snapshot.current;
    if (prev.conversationId !== conversationId) {
      el.scrollTop = el.scrollHeight;
    } else if (firstSeq < prev.firstSeq && prev.firstSeq !== 0) {
      el.scrollTop = prev.top + (el.scrollHeight - prev.height);
    } else if (lastKey !== prev.lastKey && prev.nearBottom) {
      el.scrollTop = el.scrollHeight;
    }
    snapshot.current = {
      conversationId,
      firstSeq,
      lastKey,
      height: el.scrollHeight,
      top: el.scrollTop,
      nearBottom: el.scrollHeight - el.scrollTop - el.clientHeight < 120,
    };
  });

  // Images load after layout: stay at the bottom if we were there.
  useEffect(() => {
    const el = ref.current;
    const inner = innerRef.current;
    if (!el || !inner || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => {
      if (snapshot.current.nearBottom) el.scrollTop = el.scrollHeight;
      snapshot.current.height = el.scrollHeight;
    });
    observer.observe(inner);
    return () => observer.disconnect();
  }, []);

  const onScroll = () => {
    const el = ref.current;
    if (!el) return;
    snapshot.current.top = el.scrollTop;
    snapshot.current.height = el.scrollHeight;
    snapshot.current.nearBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 120;
    if (el.scrollTop < 40) onReachTop();
  };

  return (
    <div ref={ref} className={styles.messages} onScroll={onScroll} role="log" aria-label={t('inbox.messages')} aria-live="polite">
      <div ref={innerRef} className={styles.messagesInner}>
        {children}
      </div>
    </div>
  );
}
