import { useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { Drawer, Empty, Grid, Result, Spin, Typography } from 'antd';
import { MessageOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ConversationList } from './ConversationList';
import { ConversationPane } from './ConversationPane';
import { ContextPanel } from './ContextPanel';
import { STATUSES, TABS, inboxReducer, initialInboxState, mergeConversation, selectRows, type ListFilter } from './inboxState';
import {
  contactConversationsKey,
  conversationsKey,
  patchConversationDetail,
  useConversation,
  useConversationList,
  useConversationSearch,
} from './queries';
import { orderResults, useInboxSearch } from './search';
import { SearchBox } from './SearchBox';
import { ThreadStore } from './thread';
import { refillThread } from './useThread';
import { isNewAssignmentToMe, unreadMine } from '../workspace/alerts';
import { useAssignmentAlerts } from '../workspace/useAssignmentAlerts';
import { AlertToggle } from '../workspace/AlertToggle';
import { useCurrentSession, sessionKey } from '../auth/session';
import { useChannels } from '../channels/queries';
import { decisionsKey } from '../routing/queries';
import { describeError } from '../../api/errorText';
import { useAgentSocket, useSocketEvents, useSocketStatus } from '../../realtime/hooks';
import type { Attachment, Conversation } from '../../api/types';
import styles from './Inbox.module.css';

const FILTER_KEY = 'yingke.inbox.filter';
/** A typing indicator without a refresh goes away after this long. */
const TYPING_TTL_MS = 6000;

function initialFilter(): ListFilter {
  try {
    const saved = JSON.parse(globalThis.localStorage?.getItem(FILTER_KEY) ?? 'null') as Partial<ListFilter> | null;
    if (saved && TABS.includes(saved.tab as ListFilter['tab']) && STATUSES.includes(saved.status as ListFilter['status'])) {
      return saved as ListFilter;
    }
  } catch {
    // Unreadable: the default.
  }
  return { tab: 'all', status: 'open' };
}

/** Contacts typing right now, by conversation id (expiry times). */
function useContactTyping() {
  const [typing, setTyping] = useState<Record<number, number>>({});
  useEffect(() => {
    const expiries = Object.values(typing);
    if (expiries.length === 0) return;
    const next = Math.min(...expiries) - Date.now();
    const timer = setTimeout(() => {
      const now = Date.now();
      setTyping((current) => Object.fromEntries(Object.entries(current).filter(([, until]) => until > now)));
    }, Math.max(50, next));
    return () => clearTimeout(timer);
  }, [typing]);
  const set = (conversationId: number, on: boolean) =>
    setTyping((current) => {
      const next = { ...current };
      if (on) next[conversationId] = Date.now() + TYPING_TTL_MS;
      else delete next[conversationId];
      return next;
    });
  return [typing, set] as const;
}

export default function InboxPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { user: me } = useCurrentSession();
  const params = useParams();
  const selectedId = params.conversationId && /^\d+$/.test(params.conversationId) ? Number(params.conversationId) : null;
  const screens = Grid.useBreakpoint();
  const layout = screens.md === false ? 'mobile' : screens.xl === false ? 'medium' : 'wide';

  const socket = useAgentSocket();
  const connection = useSocketStatus(socket);
  const [threads] = useState(() => new ThreadStore());
  const pendingAttachments = useRef(new Map<string, Attachment>()).current;
  const [state, dispatch] = useReducer(inboxReducer, initialInboxState);
  const [filter, setFilter] = useState<ListFilter>(initialFilter);
  const [typing, setTyping] = useContactTyping();
  const [contextOpen, setContextOpen] = useState(false);

  const list = useConversationList(filter);
  const search = useInboxSearch();
  const found = useConversationSearch(filter, search.query);
  const detail = useConversation(selectedId);
  const channels = useChannels();

  useEffect(() => {
    try {
      globalThis.localStorage?.setItem(FILTER_KEY, JSON.stringify(filter));
    } catch {
      // Not remembered.
    }
  }, [filter]);

  useEffect(() => {
    if (list.data) dispatch({ type: 'loaded', filter, meId: me.id, items: list.data.items, requestedAt: list.data.requestedAt });
    // Only a new answer counts; the filter it was asked for is part of its query key.
  }, [list.data]);

  useEffect(() => {
    if (!detail.data) return;
    dispatch({ type: 'upsert', conversation: detail.data, at: detail.dataUpdatedAt });
  }, [detail.data, detail.dataUpdatedAt]);

  useEffect(() => setContextOpen(false), [selectedId]);

  const onChanged = (conversation: Conversation) => dispatch({ type: 'upsert', conversation, at: Date.now() });

  const unread = useMemo(() => unreadMine(Object.values(state.byId), me.id), [state.byId, me.id]);
  const alerts = useAssignmentAlerts(unread);

  useSocketEvents(socket, (event) => {
    switch (event.type) {
      case 'conversation':
        if (isNewAssignmentToMe(state.byId[event.conversation.id], event.conversation, event.event, me.id)) {
          alerts.announce(event.conversation);
        }
        dispatch({ type: 'upsert', conversation: event.conversation, at: Date.now() });
        patchConversationDetail(queryClient, event.conversation);
        void queryClient.invalidateQueries({ queryKey: contactConversationsKey(event.conversation.contact_id) });
        // An assignment or re-routing adds a decision to the conversation's routing record.
        void queryClient.invalidateQueries({ queryKey: decisionsKey(event.conversation.id) });
        break;
      case 'message':
        dispatch({ type: 'message', message: event.message, at: Date.now() });
        threads.add(event.message.conversation_id, [event.message]);
        if (event.message.sender.kind === 'contact') setTyping(event.message.conversation_id, false);
        break;
      case 'read':
        dispatch({ type: 'read', conversationId: event.frame.conversation_id, seq: event.frame.seq, by: event.frame.by });
        break;
      case 'hidden':
        dispatch({ type: 'remove', conversationId: event.conversationId });
        break;
      case 'typing':
        if (event.frame.from.kind === 'contact') setTyping(event.frame.conversation_id, event.frame.on);
        break;
      case 'gap':
        void refillThread(threads, socket, event.conversationId, event.afterSeq);
        break;
      case 'welcome':
        // Conversation changes while we were away are not replayed: ask again.
        if (event.reconnect) void queryClient.invalidateQueries({ queryKey: conversationsKey });
        break;
      case 'resync':
        void queryClient.invalidateQueries({ queryKey: conversationsKey });
        break;
      case 'failing':
        // Perhaps the session ended: /me answers 401 then, and the app goes to the sign-in page.
        void queryClient.invalidateQueries({ queryKey: sessionKey });
        break;
      default:
        break;
    }
  });

  const rows = useMemo(() => selectRows(state, filter, me.id), [state, filter, me.id]);
  // Search results, each as the live frames have it if newer than the answer.
  const foundRows = useMemo(
    () =>
      found.data && search.query !== null
        ? orderResults(
            found.data.items.map((c) => mergeConversation(state.byId[c.id], c)),
            search.query,
          )
        : [],
    [found.data, state.byId, search.query],
  );
  const channelNames = useMemo(() => new Map((channels.data ?? []).map((c) => [c.id, c.name])), [channels.data]);
  const selected: Conversation | undefined = selectedId !== null ? (state.byId[selectedId] ?? detail.data) : undefined;
  const channel = selected ? channels.data?.find((c) => c.id === selected.channel_id) : undefined;

  const common = {
    filter,
    onFilter: setFilter,
    selectedId,
    channelNames,
    connection,
    actions: <AlertToggle enabled={alerts.enabled} permission={alerts.permission} onToggle={() => void alerts.toggle()} />,
    searchBox: <SearchBox search={search} />,
    linkSearch: search.urlSearch,
  };
  let listPane;
  if (search.tooLong) {
    // The box says why nothing is searched.
    listPane = <ConversationList {...common} rows={[]} loading={false} error={null} onRetry={() => {}} empty={null} />;
  } else if (search.query !== null) {
    listPane = (
      <ConversationList
        {...common}
        rows={foundRows}
        rowsKey={`search:${search.query}`}
        loading={found.isPending}
        error={found.error}
        onRetry={() => void found.refetch()}
        summary={
          found.data &&
          (found.isPlaceholderData || found.data.items.length > 0) && (
            <div className={styles.searchSummary} role="status">
              {found.isPlaceholderData ? (
                t('inbox.search.searching')
              ) : found.data.more ? (
                <>
                  <span>{t('inbox.search.foundMore', { count: found.data.items.length })}</span>
                  <span>{t('inbox.search.narrow')}</span>
                </>
              ) : found.data.items.length === 1 ? (
                t('inbox.search.foundOne')
              ) : (
                t('inbox.search.found', { count: found.data.items.length })
              )}
            </div>
          )
        }
        empty={
          <Empty
            className={styles.listEmpty}
            image={Empty.PRESENTED_IMAGE_SIMPLE}
            description={
              <>
                <div>{t('inbox.search.empty')}</div>
                <Typography.Text type="secondary">{t('inbox.search.emptyHint')}</Typography.Text>
              </>
            }
          />
        }
      />
    );
  } else {
    listPane = (
      <ConversationList
        {...common}
        rows={rows}
        rowsKey="list"
        loading={list.isPending}
        error={list.error}
        onRetry={() => void list.refetch()}
      />
    );
  }

  let conversationPane;
  if (selectedId === null) {
    conversationPane = (
      <div className={`${styles.conversationPane} ${styles.centered}`}>
        <Empty image={<MessageOutlined className={styles.emptyIcon} />} description={t('inbox.pick')} />
      </div>
    );
  } else if (!selected) {
    conversationPane = (
      <div className={`${styles.conversationPane} ${styles.centered}`}>
        {detail.isError ? <Result status="warning" title={describeError(t, detail.error)} /> : <Spin />}
      </div>
    );
  } else {
    conversationPane = (
      <ConversationPane
        key={selected.id}
        conversation={selected}
        detail={detail.data}
        socket={socket}
        threads={threads}
        contactTyping={(typing[selected.id] ?? 0) > Date.now()}
        shown={layout !== 'mobile' || !contextOpen}
        pendingAttachments={pendingAttachments}
        onChanged={onChanged}
        onBack={layout === 'mobile' ? () => void navigate(`/inbox${search.urlSearch}`) : undefined}
        onShowContext={layout !== 'wide' ? () => setContextOpen(true) : undefined}
      />
    );
  }

  if (layout === 'mobile') {
    return (
      <div className={`${styles.inbox} ${styles.inboxMobile}`}>
        {selectedId === null
          ? listPane
          : contextOpen && selected
            ? <ContextPanel conversation={selected} channel={channel} onBack={() => setContextOpen(false)} />
            : conversationPane}
      </div>
    );
  }

  return (
    <div className={styles.inbox}>
      {listPane}
      {conversationPane}
      {selected && layout === 'wide' && <ContextPanel conversation={selected} channel={channel} />}
      {selected && layout === 'medium' && (
        <Drawer
          open={contextOpen}
          onClose={() => setContextOpen(false)}
          title={t('inbox.context.label')}
          size={360}
          styles={{ body: { padding: 0 } }}
        >
          <ContextPanel conversation={selected} channel={channel} />
        </Drawer>
      )}
    </div>
  );
}
