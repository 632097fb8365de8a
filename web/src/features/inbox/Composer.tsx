import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { App as AntApp, Button, Input, Mentions, Segmented, Tag, Tooltip, Typography } from 'antd';
import { LockOutlined, MessageOutlined, PaperClipOutlined, SendOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { uploadAttachment } from './queries';
import { formatSize } from './source';
import { matchesCandidate, type MentionCandidate } from './mentions';
import { describeError } from '../../api/errorText';
import { newClientId } from '../../realtime/clientId';
import { CannedMenu } from '../workspace/CannedMenu';
import { matchCanned, renderCanned, slashPrefix, useCannedResponses } from '../workspace/canned';
import type { AgentSocket } from '../../realtime/AgentSocket';
import type { Attachment, CannedResponse } from '../../api/types';
import styles from './Inbox.module.css';

/** The server's limits (docs/protocol/realtime.md). */
export const MAX_TEXT = 10_000;
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
/** Send `typing on` at most this often while typing, and `off` after this long idle. */
const TYPING_REPEAT_MS = 3000;
const TYPING_IDLE_MS = 4000;

type Mode = 'reply' | 'note';

/** Unsent text per conversation, kept while the inbox is open. */
const drafts = new Map<number, { text: string; mode: Mode }>();

export function Composer({
  conversationId,
  socket,
  mentionable = [],
  onSent,
}: {
  conversationId: number;
  socket: AgentSocket;
  /** Who a note can mention: `@` in a note offers them (replies to the visitor never do). */
  mentionable?: readonly MentionCandidate[];
  /** A message went into the outbox (with the upload it carries, for showing it while pending). */
  onSent: (clientId: string, attachment: Attachment | null) => void;
}) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [text, setText] = useState(() => drafts.get(conversationId)?.text ?? '');
  const [mode, setMode] = useState<Mode>(() => drafts.get(conversationId)?.mode ?? 'reply');
  const [attachment, setAttachment] = useState<Attachment | null>(null);
  const [uploading, setUploading] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const typingOn = useRef(false);
  const lastTypingAt = useRef(0);
  const idleTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // "/code" at the start of an empty composer opens the canned responses.
  const menuId = useId();
  const [cannedActive, setCannedActive] = useState(0);
  const [cannedDismissed, setCannedDismissed] = useState(false);
  const [rendering, setRendering] = useState(false);
  const prefix = cannedDismissed || rendering ? null : slashPrefix(text);
  const canned = useCannedResponses(prefix !== null);
  const suggestions = prefix !== null ? matchCanned(canned.data ?? [], prefix).slice(0, 8) : [];
  // "@" in a note offers the account's people; picking one writes "@name " as the server reads it.
  const byHandle = useMemo(() => new Map(mentionable.map((c) => [c.handle, c])), [mentionable]);
  const mentionOptions = useMemo(
    () =>
      mentionable.map((c) => ({
        key: String(c.id),
        value: c.handle,
        label: (
          <span className={styles.mentionOption}>
            <span className={styles.mentionName}>{c.name || c.email}</span>
            {c.name && <span className={styles.mentionEmail}>{c.email}</span>}
          </span>
        ),
      })),
    [mentionable],
  );

  const stopTyping = () => {
    if (idleTimer.current) clearTimeout(idleTimer.current);
    idleTimer.current = null;
    if (typingOn.current) socket.typing(conversationId, false);
    typingOn.current = false;
  };

  // Leaving the conversation ends the typing indicator.
  // The component is keyed by conversation, so the first stopTyping stays valid.
  useEffect(() => stopTyping, []);

  useEffect(() => {
    drafts.set(conversationId, { text, mode });
  }, [conversationId, text, mode]);

  const onType = (value: string) => {
    setText(value);
    setCannedActive(0);
    if (slashPrefix(value) === null) setCannedDismissed(false);
    // Notes are internal: the visitor must not even see that one is being written.
    if (mode !== 'reply') return;
    if (!value.trim()) {
      stopTyping();
      return;
    }
    const now = Date.now();
    if (!typingOn.current || now - lastTypingAt.current >= TYPING_REPEAT_MS) {
      if (socket.typing(conversationId, true)) {
        typingOn.current = true;
        lastTypingAt.current = now;
      }
    }
    if (idleTimer.current) clearTimeout(idleTimer.current);
    idleTimer.current = setTimeout(stopTyping, TYPING_IDLE_MS);
  };

  const changeMode = (next: Mode) => {
    if (next === 'note') stopTyping();
    setMode(next);
  };

  const send = () => {
    const body = text.trim();
    if (uploading || (!body && !attachment)) return;
    if (body.length > MAX_TEXT) {
      void message.error(t('inbox.tooLong', { max: MAX_TEXT }));
      return;
    }
    const clientId = newClientId();
    onSent(clientId, attachment);
    socket.send({
      client_id: clientId,
      conversation_id: conversationId,
      text: body,
      ...(attachment ? { attachment_id: attachment.id } : {}),
      ...(mode === 'note' ? { note: true } : {}),
    });
    stopTyping();
    setText('');
    setAttachment(null);
  };

  const pickCanned = async (item: CannedResponse) => {
    setRendering(true);
    try {
      onType(await renderCanned(conversationId, item.id));
    } catch (error) {
      void message.error(describeError(t, error));
    } finally {
      setRendering(false);
    }
  };

  const onCannedKey = (event: KeyboardEvent<HTMLTextAreaElement>): boolean => {
    if (prefix === null || event.nativeEvent.isComposing || event.keyCode === 229) return false;
    if (event.key === 'Escape') {
      setCannedDismissed(true);
      return true;
    }
    if (suggestions.length === 0) return false;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setCannedActive((i) => (i + step + suggestions.length) % suggestions.length);
      return true;
    }
    if (event.key === 'Enter' || event.key === 'Tab') {
      void pickCanned(suggestions[Math.min(cannedActive, suggestions.length - 1)]);
      return true;
    }
    return false;
  };

  /** Enter alone sends; Shift+Enter is a new line, and Enter that confirms an IME candidate (Chinese input) must not send. */
  const sendsOnEnter = (event: KeyboardEvent<HTMLTextAreaElement>) =>
    event.key === 'Enter' &&
    !(event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) &&
    !(event.nativeEvent.isComposing || event.keyCode === 229);

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (onCannedKey(event)) {
      event.preventDefault();
      return;
    }
    // A note sends from onNoteEnter: while the mention list is open, Enter picks from it instead.
    if (mode === 'note' || !sendsOnEnter(event)) return;
    event.preventDefault();
    send();
  };

  // Mentions calls this only while its list is closed, and before onKeyDown (where the canned list takes Enter).
  const onNoteEnter = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (!sendsOnEnter(event) || (prefix !== null && suggestions.length > 0)) return;
    event.preventDefault();
    send();
  };

  const onFile = async (file: File | undefined) => {
    if (!file) return;
    if (file.size > MAX_UPLOAD_BYTES) {
      void message.error(t('inbox.fileTooLarge'));
      return;
    }
    setUploading(true);
    try {
      setAttachment(await uploadAttachment(file));
    } catch (error) {
      void message.error(describeError(t, error));
    } finally {
      setUploading(false);
      if (fileInput.current) fileInput.current.value = '';
    }
  };

  const note = mode === 'note';
  const inputProps = {
    value: text,
    onKeyDown,
    onBlur: stopTyping,
    placeholder: rendering ? t('workspace.canned.rendering') : note ? t('inbox.notePlaceholder') : t('inbox.replyPlaceholder'),
    'aria-label': note ? t('inbox.notePlaceholder') : t('inbox.replyPlaceholder'),
    autoSize: { minRows: 2, maxRows: 8 },
    readOnly: rendering,
    'aria-autocomplete': 'list' as const,
    'aria-controls': prefix !== null && suggestions.length > 0 ? menuId : undefined,
    'aria-activedescendant':
      prefix !== null && suggestions.length > 0 ? `${menuId}-${suggestions[Math.min(cannedActive, suggestions.length - 1)].id}` : undefined,
    variant: 'borderless' as const,
  };
  return (
    <div className={`${styles.composer} ${note ? styles.composerNote : ''}`}>
      {prefix !== null && (
        <CannedMenu
          id={menuId}
          prefix={prefix}
          items={suggestions}
          active={cannedActive}
          loading={canned.isPending}
          onPick={(item) => void pickCanned(item)}
          onHover={setCannedActive}
        />
      )}
      <div className={styles.composerTop}>
        <Segmented<Mode>
          size="small"
          value={mode}
          onChange={changeMode}
          options={[
            { value: 'reply', label: t('inbox.reply'), icon: <MessageOutlined /> },
            { value: 'note', label: t('inbox.noteMode'), icon: <LockOutlined /> },
          ]}
          aria-label={t('inbox.composeMode')}
        />
        {note && (
          <Typography.Text type="secondary" className={styles.composerHint}>
            {t('inbox.noteHint')}
          </Typography.Text>
        )}
      </div>
      {(attachment || uploading) && (
        <div className={styles.attachmentChip}>
          <Tag
            icon={<PaperClipOutlined />}
            closable={!uploading}
            onClose={() => setAttachment(null)}
            closeIcon={attachment ? undefined : false}
          >
            {attachment ? `${attachment.name} · ${formatSize(attachment.size)}` : t('inbox.uploading')}
          </Tag>
        </div>
      )}
      {note ? (
        <Mentions
          {...inputProps}
          onChange={onType}
          onPressEnter={onNoteEnter}
          options={mentionOptions}
          prefix="@"
          split=" "
          placement="top"
          // The list opens only while what follows "@" finds someone, so Enter after "@x" sends.
          validateSearch={(query, split = ' ') => !query.includes(split) && mentionable.some((c) => matchesCandidate(c, query))}
          filterOption={(query, option) => {
            const candidate = byHandle.get(option.value ?? '');
            return candidate !== undefined && matchesCandidate(candidate, query);
          }}
          className={styles.mentions}
          classNames={{ textarea: styles.textarea, popup: styles.mentionPopup }}
        />
      ) : (
        <Input.TextArea {...inputProps} onChange={(event) => onType(event.target.value)} className={styles.textarea} />
      )}
      <div className={styles.composerBar}>
        <input
          ref={fileInput}
          type="file"
          hidden
          onChange={(event) => void onFile(event.target.files?.[0])}
          data-testid="attachment-input"
        />
        <Tooltip title={t('inbox.attach')}>
          <Button
            type="text"
            size="small"
            icon={<PaperClipOutlined />}
            aria-label={t('inbox.attach')}
            loading={uploading}
            onClick={() => fileInput.current?.click()}
          />
        </Tooltip>
        <Typography.Text type="secondary" className={styles.composerKeys}>
          {t('inbox.enterToSend')}
        </Typography.Text>
        <Button
          type="primary"
          size="small"
          icon={<SendOutlined />}
          onClick={send}
          disabled={uploading || (!text.trim() && !attachment)}
          className={note ? styles.noteButton : undefined}
        >
          {note ? t('inbox.addNote') : t('inbox.send')}
        </Button>
      </div>
    </div>
  );
}
