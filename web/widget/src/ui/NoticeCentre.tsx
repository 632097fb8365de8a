import type { NoticesState } from '../controller';
import type { Notice } from '../types';
import { useUi } from './context';
import { formatDay, formatTime, parseTime } from './format';
import { AlertIcon, BellIcon, ChevronLeftIcon } from './icons';

/**
 * The message centre: the visitor's ticket progress notices, shown in the panel body instead of
 * the chat. Subjects and bodies are untrusted plain text: rendered as text nodes only.
 */
export function NoticeCentre({
  notices,
  chatUnread,
  onBack,
}: {
  notices: NoticesState;
  chatUnread: number;
  onBack: () => void;
}) {
  const { t, controller } = useUi();
  const back = chatUnread > 0 ? t('notices_back_unread', { count: chatUnread }) : t('notices_back');

  let content;
  if (notices.items.length > 0) {
    content = (
      <ul class="yk-nt-list" role="list" aria-label={t('notices_title')}>
        {notices.items.map((n) => (
          <NoticeItem key={n.id} notice={n} fresh={!n.read_at || notices.fresh.includes(n.id)} />
        ))}
      </ul>
    );
  } else if (notices.error) {
    content = (
      <div class="yk-center" role="alert">
        <span class="yk-center-icon">
          <AlertIcon />
        </span>
        <span>{t('notices_error')}</span>
        <button type="button" class="yk-primary-btn yk-small" onClick={() => void controller.loadNotices()}>
          {t('retry')}
        </button>
      </div>
    );
  } else if (!notices.loaded) {
    content = (
      <div class="yk-center" role="status">
        <span class="yk-spinner" aria-hidden="true" />
        <span>{t('loading')}</span>
      </div>
    );
  } else {
    content = (
      <div class="yk-center">
        <span class="yk-center-icon">
          <BellIcon />
        </span>
        <strong class="yk-nt-empty">{t('notices_empty')}</strong>
        <span>{t('notices_empty_hint')}</span>
      </div>
    );
  }

  return (
    <div class="yk-nt">
      <div class="yk-nt-bar">
        <button type="button" class="yk-icon-btn yk-nt-back" aria-label={back} title={back} onClick={onBack}>
          <ChevronLeftIcon />
          {chatUnread > 0 && <span class="yk-nt-back-dot" aria-hidden="true" />}
        </button>
        <h3 class="yk-nt-title">{t('notices_title')}</h3>
        {notices.loading && notices.loaded && <span class="yk-spinner yk-spinner-sm" aria-hidden="true" />}
      </div>
      {notices.error && notices.items.length > 0 && (
        <div class="yk-nt-warn" role="alert">
          <span>{t('notices_error')}</span>
          <button type="button" class="yk-link-btn" onClick={() => void controller.loadNotices()}>
            {t('retry')}
          </button>
        </div>
      )}
      <div class="yk-scroll yk-nt-scroll">{content}</div>
    </div>
  );
}

function NoticeItem({ notice, fresh }: { notice: Notice; fresh: boolean }) {
  const { t, locale, controller } = useUi();
  const when = parseTime(notice.created_at);
  // Only an http(s) page is linked (never javascript: and the like).
  const href = controller.linkUrl(notice.ticket_url);
  return (
    <li class={`yk-nt-item${fresh ? ' yk-nt-fresh' : ''}`}>
      <div class="yk-nt-head">
        {fresh && <span class="yk-nt-new">{t('notices_new')}</span>}
        <span class="yk-nt-subject">{notice.subject}</span>
      </div>
      {when && (
        <time class="yk-nt-time" dateTime={notice.created_at}>
          {`${formatDay(when, locale, t)} ${formatTime(when, locale)}`}
        </time>
      )}
      {notice.body && <p class="yk-nt-body">{notice.body}</p>}
      {href && (
        <a class="yk-nt-link" href={href} target="_blank" rel="noopener noreferrer">
          {t('notices_view_ticket')}
        </a>
      )}
    </li>
  );
}
