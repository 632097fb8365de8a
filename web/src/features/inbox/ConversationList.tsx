import { memo, useRef, type ReactNode } from 'react';
import { NavLink } from 'react-router';
import { Avatar, Badge, Button, Empty, Select, Spin, Tabs, Tooltip, Typography } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { observeElementRect, useVirtualizer } from '@tanstack/react-virtual';
import { useTranslation } from 'react-i18next';
import { STATUSES, TABS, isUnread, type ConversationStatus, type InboxTab, type ListFilter } from './inboxState';
import { PriorityTag } from './PriorityTag';
import { initial, useContactName } from './names';
import { avatarColor } from '../users/UserAvatar';
import { describeError } from '../../api/errorText';
import { formatDateTime, formatListTime } from '../../i18n/format';
import type { Conversation } from '../../api/types';
import type { ConnectionStatus } from '../../realtime/AgentSocket';
import styles from './Inbox.module.css';

type Props = {
  filter: ListFilter;
  onFilter: (filter: ListFilter) => void;
  rows: Conversation[];
  loading: boolean;
  error: unknown;
  onRetry: () => void;
  selectedId: number | null;
  channelNames: Map<number, string>;
  connection: ConnectionStatus;
  /** Controls shown in the header, before the status filter. */
  actions?: ReactNode;
  /** Shown under the header, above the tabs (the search box). */
  searchBox?: ReactNode;
  /** A line above the rows (how many a search found). */
  summary?: ReactNode;
  /** What an empty list shows instead of "no conversations" (null: nothing). */
  empty?: ReactNode;
  /** Query string the rows' links keep (`?q=…`), so opening a result keeps the search. */
  linkSearch?: string;
  /** A new value starts the rows scrolled to the top (a new search). */
  rowsKey?: string;
};

export function ConversationList({
  filter,
  onFilter,
  rows,
  loading,
  error,
  onRetry,
  selectedId,
  channelNames,
  connection,
  actions,
  searchBox,
  summary,
  empty,
  linkSearch = '',
  rowsKey,
}: Props) {
  const { t } = useTranslation();
  return (
    <section className={styles.listPane} aria-label={t('inbox.listLabel')}>
      <div className={styles.listHeader}>
        <Typography.Title level={5} className={styles.listTitle}>
          {t('inbox.title')}
        </Typography.Title>
        <ConnectionDot status={connection} />
        {actions}
        <Select<ConversationStatus>
          size="small"
          value={filter.status}
          onChange={(status) => onFilter({ ...filter, status })}
          options={STATUSES.map((status) => ({ value: status, label: t(`inbox.status.${status}`) }))}
          aria-label={t('inbox.statusFilter')}
          className={styles.statusSelect}
          popupMatchSelectWidth={false}
        />
      </div>
      {searchBox}
      <Tabs
        size="small"
        activeKey={filter.tab}
        onChange={(tab) => onFilter({ ...filter, tab: tab as InboxTab })}
        items={TABS.map((tab) => ({ key: tab, label: t(`inbox.tabs.${tab}`) }))}
        className={styles.tabs}
      />
      <div className={styles.listBody}>
        {summary}
        {rows.length > 0 ? (
          <VirtualRows
            key={rowsKey}
            rows={rows}
            selectedId={selectedId}
            channelNames={channelNames}
            label={t('inbox.conversations')}
            linkSearch={linkSearch}
          />
        ) : loading ? (
          <div className={styles.listEmpty}>
            <Spin />
          </div>
        ) : error ? (
          <div className={styles.listEmpty}>
            <Typography.Text type="danger">{describeError(t, error)}</Typography.Text>
            <Button size="small" icon={<ReloadOutlined />} onClick={onRetry}>
              {t('common.retry')}
            </Button>
          </div>
        ) : empty !== undefined ? (
          empty
        ) : (
          <Empty className={styles.listEmpty} image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('inbox.empty')} />
        )}
      </div>
    </section>
  );
}

/** Every row has this height (CSS `.row`), so the window is computed without measuring. */
export const ROW_HEIGHT = 58;
const FALLBACK_RECT = { width: 320, height: 900 };

/**
 * Only the rows in view (plus a few either side) are in the DOM: an inbox of thousands of
 * conversations scrolls and updates as fast as one of twenty.
 */
function VirtualRows({
  rows,
  selectedId,
  channelNames,
  label,
  linkSearch,
}: {
  rows: Conversation[];
  selectedId: number | null;
  channelNames: Map<number, string>;
  label: string;
  linkSearch: string;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (index) => rows[index].id,
    overscan: 6,
    // Before the first layout, and where there is none (a hidden pane, tests), assume a tall pane.
    initialRect: FALLBACK_RECT,
    observeElementRect: (instance, cb) =>
      observeElementRect(instance, (rect) => cb(rect.height > 0 ? rect : FALLBACK_RECT)),
  });
  return (
    <div ref={scroller} className={styles.rowsScroller}>
      <ul
        className={styles.rows}
        aria-label={label}
        aria-rowcount={rows.length}
        style={{ height: virtualizer.getTotalSize() }}
      >
        {virtualizer.getVirtualItems().map((item) => {
          const conversation = rows[item.index];
          return (
            <li
              key={item.key}
              className={styles.rowSlot}
              style={{ transform: `translateY(${item.start}px)` }}
              aria-posinset={item.index + 1}
              aria-setsize={rows.length}
            >
              <ConversationRow
                conversation={conversation}
                selected={conversation.id === selectedId}
                channelName={channelNames.get(conversation.channel_id) ?? ''}
                linkSearch={linkSearch}
              />
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function ConnectionDot({ status }: { status: ConnectionStatus }) {
  const { t } = useTranslation();
  const label = t(`inbox.connection.${status}`);
  return (
    <Tooltip title={label}>
      <Badge
        status={status === 'open' ? 'success' : status === 'connecting' ? 'processing' : 'error'}
        aria-label={label}
        role="status"
        className={styles.connectionDot}
      />
    </Tooltip>
  );
}

const ConversationRow = memo(function ConversationRow({
  conversation,
  selected,
  channelName,
  linkSearch,
}: {
  conversation: Conversation;
  selected: boolean;
  channelName: string;
  linkSearch: string;
}) {
  const { t } = useTranslation();
  const name = useContactName(conversation.contact_id);
  const unread = isUnread(conversation);
  const className = [styles.row, selected ? styles.rowSelected : '', unread ? styles.rowUnread : ''].join(' ');
  return (
    <NavLink
      to={{ pathname: `/inbox/${conversation.id}`, search: linkSearch }}
      className={className}
      aria-current={selected ? 'page' : undefined}
      aria-label={unread ? t('inbox.rowUnread', { name, number: conversation.number }) : t('inbox.row', { name, number: conversation.number })}
      data-testid="conversation-row"
    >
      <Badge dot={unread} offset={[-3, 3]} color="#1f6feb">
        <Avatar size={34} style={{ background: avatarColor(conversation.contact_id), flex: 'none' }}>
          {initial(name)}
        </Avatar>
      </Badge>
      <div className={styles.rowMain}>
        <div className={styles.rowLine}>
          <span className={styles.rowName}>{name}</span>
          <time className={styles.rowTime} dateTime={conversation.updated_at} title={formatDateTime(conversation.updated_at)}>
            {formatListTime(conversation.updated_at)}
          </time>
        </div>
        <div className={styles.rowLine}>
          <span className={styles.rowMeta}>
            #{conversation.number}
            {channelName ? ` · ${channelName}` : ''}
          </span>
          <PriorityTag priority={conversation.priority} compact />
        </div>
      </div>
    </NavLink>
  );
});
