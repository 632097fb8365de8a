import { useEffect, useRef } from 'preact/hooks';
import type { ChatState } from '../controller';
import { Composer } from './Composer';
import { useUi } from './context';
import { Csat } from './Csat';
import { queueText } from './format';
import { AlertIcon, BellIcon, ChevronDownIcon, CloseIcon } from './icons';
import { MessageList } from './MessageList';
import { NoticeCentre } from './NoticeCentre';
import { PreChatForm } from './PreChatForm';

export function Panel({ state }: { state: ChatState }) {
  const { t, controller, mode } = useUi();

  useEffect(() => {
    controller.setVisible(true);
    return () => controller.setVisible(false);
  }, [controller]);

  const name = state.config?.channel.name?.trim() || t('panel_label');
  const initial = Array.from(name)[0]?.toUpperCase() ?? '';
  const statusText =
    state.phase !== 'ready'
      ? t('status_connecting')
      : state.connection === 'open'
        ? t('status_online')
        : state.connection === 'connecting'
          ? t('status_connecting')
          : t('status_offline');

  const noticesLabel =
    state.notices.unread > 0 ? t('notices_open_unread', { count: state.notices.unread }) : t('notices_title');

  const bell = useRef<HTMLButtonElement>(null);
  // Back to the chat, focus on the bell that opened the centre (the back button goes away).
  const closeNotices = () => {
    controller.closeNotices();
    bell.current?.focus();
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && state.notices.open) {
      e.stopPropagation();
      closeNotices();
    } else if (e.key === 'Escape' && mode === 'embed') {
      e.stopPropagation();
      controller.close();
    }
  };

  let body;
  if (state.phase === 'loading' && !state.config) {
    body = (
      <div class="yk-center" role="status">
        <span class="yk-spinner" aria-hidden="true" />
        <span>{t('loading')}</span>
      </div>
    );
  } else if (state.phase === 'error') {
    body = (
      <div class="yk-center" role="alert">
        <span class="yk-center-icon">
          <AlertIcon />
        </span>
        <span>{t(state.error ?? 'error_generic')}</span>
        {state.error !== 'error_channel_not_found' && (
          <button type="button" class="yk-primary-btn yk-small" onClick={() => void controller.load()}>
            {t('retry')}
          </button>
        )}
      </div>
    );
  } else if (state.notices.open && state.phase === 'ready') {
    body = <NoticeCentre notices={state.notices} chatUnread={state.unread} onBack={closeNotices} />;
  } else if (state.needsForm && state.config) {
    body = (
      <div class="yk-scroll">
        <PreChatForm fields={state.config.pre_chat_form} />
      </div>
    );
  } else {
    body = (
      <>
        <MessageList state={state} />
        <Csat status={state.csat} />
        {state.queue && (
          <div class="yk-queue" role="status">
            {queueText(state.queue, t)}
          </div>
        )}
        <Composer disabled={state.phase !== 'ready'} />
      </>
    );
  }

  return (
    <section class="yk-panel" role="dialog" aria-label={name} onKeyDown={onKeyDown}>
      <header class="yk-header">
        <span class="yk-avatar" aria-hidden="true">
          {initial}
        </span>
        <div class="yk-title">
          <h2 class="yk-name">{name}</h2>
          <div class="yk-status">
            <span class={`yk-dot yk-dot-${state.phase === 'ready' ? state.connection : 'connecting'}`} aria-hidden="true" />
            <span>{statusText}</span>
          </div>
        </div>
        {state.phase === 'ready' && (
          <button
            ref={bell}
            type="button"
            class="yk-icon-btn yk-header-btn yk-nt-btn"
            aria-label={noticesLabel}
            title={noticesLabel}
            aria-pressed={state.notices.open}
            onClick={() => (state.notices.open ? closeNotices() : controller.openNotices())}
          >
            <BellIcon />
            {state.notices.unread > 0 && (
              <span class="yk-badge yk-nt-badge" aria-hidden="true">
                {state.notices.unread > 99 ? '99+' : state.notices.unread}
              </span>
            )}
          </button>
        )}
        {mode === 'embed' && (
          <button type="button" class="yk-icon-btn yk-header-btn" aria-label={t('close')} title={t('close')} onClick={() => controller.close()}>
            <span class="yk-only-wide">
              <ChevronDownIcon />
            </span>
            <span class="yk-only-narrow">
              <CloseIcon />
            </span>
          </button>
        )}
      </header>
      {state.notice && (
        <div class="yk-notice" role="status" onClick={() => controller.dismissNotice()}>
          {t(state.notice)}
        </div>
      )}
      <div class="yk-body">{body}</div>
      <div class="yk-powered">{t('powered_by')}</div>
    </section>
  );
}
