import { useEffect, useId, useRef } from 'react';
import { Input, Typography, type InputRef } from 'antd';
import { SearchOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { SEARCH_MAX_CHARS, type InboxSearch } from './search';
import styles from './Inbox.module.css';

/** Typing "/" here is text, not the shortcut. */
function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) || target.closest('[role="dialog"]') !== null;
}

/** The inbox's search box: Escape clears it, "/" elsewhere on the page focuses it. */
export function SearchBox({ search }: { search: InboxSearch }) {
  const { t } = useTranslation();
  const input = useRef<InputRef>(null);
  const hintId = useId();

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== '/' || event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (isEditable(event.target)) return;
      event.preventDefault();
      input.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div role="search" className={styles.searchBox}>
      <Input
        ref={input}
        allowClear
        prefix={<SearchOutlined className={styles.searchIcon} aria-hidden />}
        placeholder={t('inbox.search.placeholder')}
        aria-label={t('inbox.search.label')}
        aria-keyshortcuts="/"
        aria-invalid={search.tooLong || undefined}
        aria-describedby={search.tooLong ? hintId : undefined}
        status={search.tooLong ? 'error' : undefined}
        value={search.draft}
        onChange={(event) => search.onDraft(event.target.value)}
        onCompositionStart={() => search.setComposing(true)}
        onCompositionEnd={() => search.setComposing(false)}
        onKeyDown={(event) => {
          if (event.key !== 'Escape') return;
          if (search.draft === '') {
            input.current?.blur();
          } else {
            // Not a dialog's Escape (the inbox may sit under one).
            event.stopPropagation();
            search.clear();
          }
        }}
      />
      {search.tooLong && (
        <Typography.Text id={hintId} type="danger" className={styles.searchHint} role="alert">
          {t('inbox.search.tooLong', { max: SEARCH_MAX_CHARS })}
        </Typography.Text>
      )}
    </div>
  );
}
