import { Button, Image, Space, Typography } from 'antd';
import { ExclamationCircleOutlined, FileOutlined, LoadingOutlined, LockOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { RichText } from './RichText';
import { formatSize, readAttachment, type MessageAttachment } from './source';
import { safeHttpUrl } from '../../api/open';
import { formatDateTime, formatTime } from '../../i18n/format';
import type { Message } from '../../api/types';
import type { PendingMessage } from '../../realtime/AgentSocket';
import styles from './Inbox.module.css';

function AttachmentView({ attachment }: { attachment: MessageAttachment }) {
  const { t } = useTranslation();
  const href = safeHttpUrl(attachment.url);
  if (!href) return null;
  if (attachment.mime.startsWith('image/')) {
    return (
      <Image
        src={href}
        alt={attachment.name || t('inbox.image')}
        className={styles.image}
        preview={{ mask: t('inbox.openImage') }}
      />
    );
  }
  return (
    <a href={href} target="_blank" rel="noopener noreferrer" download={attachment.name || true} className={styles.file}>
      <FileOutlined className={styles.fileIcon} />
      <span className={styles.fileName}>{attachment.name || t('inbox.file')}</span>
      {attachment.size !== null && <span className={styles.fileSize}>{formatSize(attachment.size)}</span>}
    </a>
  );
}

/** Where a message sits: the visitor left, agents (and their notes) right, events centred. */
function sideOf(message: Pick<Message, 'sender' | 'kind'>): 'left' | 'right' | 'center' {
  if (message.kind === 'event' || message.sender.kind === 'system') return 'center';
  return message.sender.kind === 'agent' ? 'right' : 'left';
}

/** Whether `message` continues `previous` (same sender, same kind of bubble, within five minutes). */
export function continues(previous: Message | undefined, message: Message): boolean {
  if (!previous || sideOf(previous) === 'center' || sideOf(message) === 'center') return false;
  if (previous.sender.kind !== message.sender.kind || previous.sender.id !== message.sender.id) return false;
  if ((previous.kind === 'note') !== (message.kind === 'note')) return false;
  const gap = Date.parse(message.created_at) - Date.parse(previous.created_at);
  return gap >= 0 && gap < 5 * 60_000;
}

export function MessageItem({
  message,
  read,
  grouped = false,
  contactName,
  mentions = [],
}: {
  message: Message;
  read: boolean;
  grouped?: boolean;
  /** The contact's display name (the server names anonymous visitors in Chinese only). */
  contactName: string;
  /** Names and e-mails of the account's users: `@` one of them is highlighted in a note. */
  mentions?: readonly string[];
}) {
  const { t } = useTranslation();
  const side = sideOf(message);
  const attachment = readAttachment(message.attachment);
  if (side === 'center') {
    return (
      <div className={styles.event} data-seq={message.seq}>
        <span>{message.text}</span>
      </div>
    );
  }
  const note = message.kind === 'note';
  const senderName =
    message.sender.kind === 'contact'
      ? contactName
      : message.sender.kind === 'bot'
        ? message.sender.name || t('inbox.bot')
        : message.sender.name;
  return (
    <div
      className={`${styles.message} ${side === 'right' ? styles.messageRight : styles.messageLeft} ${grouped ? styles.grouped : ''}`}
      data-seq={message.seq}
      data-kind={message.kind}
      data-testid="message"
    >
      {!grouped && (
        <div className={styles.messageMeta}>
          <span className={styles.sender}>{senderName}</span>
          <time dateTime={message.created_at} title={formatDateTime(message.created_at)}>
            {formatTime(message.created_at)}
          </time>
        </div>
      )}
      <div
        title={grouped ? `${senderName} · ${formatDateTime(message.created_at)}` : undefined}
        className={`${styles.bubble} ${note ? styles.note : side === 'right' ? styles.bubbleAgent : styles.bubbleContact}`}
      >
        {note && (
          <div className={styles.noteLabel}>
            <LockOutlined /> {t('inbox.note')}
          </div>
        )}
        {attachment && <AttachmentView attachment={attachment} />}
        {message.text && (
          <div className={styles.text}>
            <RichText text={message.text} mentions={note ? mentions : undefined} />
          </div>
        )}
      </div>
      {read && <div className={styles.readMark}>{t('inbox.read')}</div>}
    </div>
  );
}

/** A message of ours the server has not confirmed yet (or refused). */
export function PendingItem({
  pending,
  attachmentName,
  onRetry,
  onDiscard,
}: {
  pending: PendingMessage;
  attachmentName: string | null;
  onRetry: () => void;
  onDiscard: () => void;
}) {
  const { t } = useTranslation();
  const failed = pending.state === 'failed';
  return (
    <div className={`${styles.message} ${styles.messageRight} ${styles.pending}`} data-testid="pending-message">
      <div className={`${styles.bubble} ${pending.note ? styles.note : styles.bubbleAgent}`}>
        {pending.note && (
          <div className={styles.noteLabel}>
            <LockOutlined /> {t('inbox.note')}
          </div>
        )}
        {attachmentName && (
          <div className={styles.file}>
            <FileOutlined className={styles.fileIcon} />
            <span className={styles.fileName}>{attachmentName}</span>
          </div>
        )}
        {pending.text && <div className={styles.text}>{pending.text}</div>}
      </div>
      <div className={styles.pendingState} role="status">
        {failed ? (
          <Space size={4}>
            <Typography.Text type="danger">
              <ExclamationCircleOutlined /> {t(`inbox.sendFailed.${pending.error ?? 'other'}`, { defaultValue: t('inbox.sendFailed.other') })}
            </Typography.Text>
            <Button type="link" size="small" onClick={onRetry}>
              {t('common.retry')}
            </Button>
            <Button type="link" size="small" danger onClick={onDiscard}>
              {t('common.delete')}
            </Button>
          </Space>
        ) : pending.state === 'sending' ? (
          <Typography.Text type="secondary">
            <LoadingOutlined /> {t('inbox.sending')}
          </Typography.Text>
        ) : null}
      </div>
    </div>
  );
}
