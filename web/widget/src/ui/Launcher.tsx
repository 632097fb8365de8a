import { useUi } from './context';
import { ChatIcon, CloseIcon } from './icons';

export function Launcher({ open, unread }: { open: boolean; unread: number }) {
  const { t, controller } = useUi();
  const label = open ? t('launcher_close') : t('launcher_open');
  return (
    <button
      type="button"
      class={`yk-launcher ${open ? 'yk-launcher-open' : ''}`}
      aria-label={unread > 0 && !open ? `${label} · ${t('unread_count', { count: unread })}` : label}
      aria-expanded={open}
      onClick={() => controller.toggle()}
    >
      <span class="yk-launcher-icon yk-launcher-chat">
        <ChatIcon />
      </span>
      <span class="yk-launcher-icon yk-launcher-close">
        <CloseIcon />
      </span>
      {unread > 0 && !open && (
        <span class="yk-badge" aria-hidden="true">
          {unread > 99 ? '99+' : unread}
        </span>
      )}
    </button>
  );
}
