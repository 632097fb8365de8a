import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ChatState, PendingView } from '../controller';
import type { Message } from '../types';
import { useUi } from './context';
import { dayKey, formatDay, formatSize, formatTime, parseTime } from './format';
import { AlertIcon, ChevronDownIcon, FileIcon } from './icons';
import { RichText } from './RichText';

const GROUP_GAP_MS = 5 * 60 * 1000;

interface AttachmentView {
  url: string | null;
  name: string;
  mime: string;
  size: number;
}

function AttachmentBlock({ a }: { a: AttachmentView }) {
  const { t } = useUi();
  const isImage = a.mime.startsWith('image/');
  if (isImage && a.url) {
    return (
      <a class="yk-image" href={a.url} target="_blank" rel="noopener noreferrer" title={t('open_image')}>
        <img src={a.url} alt={a.name} loading="lazy" decoding="async" />
      </a>
    );
  }
  const body = (
    <>
      <span class="yk-file-icon">
        <FileIcon />
      </span>
      <span class="yk-file-meta">
        <span class="yk-file-name">{a.name}</span>
        <span class="yk-file-size">{formatSize(a.size, t)}</span>
      </span>
    </>
  );
  return a.url ? (
    <a class="yk-file" href={a.url} target="_blank" rel="noopener noreferrer" download={a.name}>
      {body}
    </a>
  ) : (
    <span class="yk-file">{body}</span>
  );
}

function senderLabel(m: Message, t: ReturnType<typeof useUi>['t']): string {
  const name = m.sender?.name?.trim();
  if (m.sender?.kind === 'bot') return name ? `${name} · ${t('bot')}` : t('bot');
  return name || t('agent');
}

function Avatar({ m }: { m: Message }) {
  const name = m.sender?.name?.trim() || '';
  const initial = name ? Array.from(name)[0].toUpperCase() : '';
  return (
    <span class={`yk-avatar-sm ${m.sender?.kind === 'bot' ? 'yk-bot' : ''}`} aria-hidden="true">
      {initial || '·'}
    </span>
  );
}

interface Row {
  key: string;
  day?: string;
  node: ComponentChildren;
}

export function MessageList({ state }: { state: ChatState }) {
  const { t, locale, controller } = useUi();
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const [showJump, setShowJump] = useState(false);

  const rows: Row[] = [];
  const greeting = state.config?.channel.greeting?.trim();
  if (greeting) {
    rows.push({
      key: 'greeting',
      node: (
        <div class="yk-row yk-theirs yk-first yk-last">
          <div class="yk-bubble-wrap">
            <div class="yk-bubble yk-greeting">
              <RichText text={greeting} />
            </div>
          </div>
        </div>
      ),
    });
  }

  let lastDay = '';
  const messages = state.messages;
  messages.forEach((m, i) => {
    const when = parseTime(m.created_at);
    if (when) {
      const dk = dayKey(when);
      if (dk !== lastDay) {
        lastDay = dk;
        rows.push({
          key: `day-${dk}`,
          node: (
            <div class="yk-day" role="separator">
              <span>{formatDay(when, locale, t)}</span>
            </div>
          ),
        });
      }
    }
    const key = `m-${m.conversation_id}-${m.seq}`;
    if (m.kind === 'event' || m.sender?.kind === 'system') {
      rows.push({
        key,
        node: (
          <div class="yk-system">
            <span>
              <RichText text={m.text ?? ''} />
            </span>
          </div>
        ),
      });
      return;
    }
    const prev = messages[i - 1];
    const next = messages[i + 1];
    const sameAs = (o: Message | undefined) => {
      if (!o || o.kind === 'event' || o.sender?.kind === 'system') return false;
      if (o.sender?.kind !== m.sender?.kind || o.sender?.id !== m.sender?.id) return false;
      const a = parseTime(o.created_at);
      return !!a && !!when && Math.abs(a.getTime() - when.getTime()) < GROUP_GAP_MS && dayKey(a) === dayKey(when);
    };
    const first = !sameAs(prev);
    const last = !sameAs(next);
    const mine = m.sender?.kind === 'contact';
    const attachment: AttachmentView | null = m.attachment
      ? {
          url: controller.attachmentUrl(m.attachment.url),
          name: m.attachment.name || '',
          mime: m.attachment.mime || '',
          size: m.attachment.size,
        }
      : null;
    const read = mine && (state.agentRead[String(m.conversation_id)] ?? 0) >= m.seq;
    rows.push({
      key,
      node: (
        <div class={`yk-row ${mine ? 'yk-mine' : 'yk-theirs'} ${first ? 'yk-first' : ''} ${last ? 'yk-last' : ''}`}>
          {!mine && (last ? <Avatar m={m} /> : <span class="yk-avatar-gap" />)}
          <div class="yk-bubble-wrap">
            {!mine && first && <div class="yk-sender">{senderLabel(m, t)}</div>}
            {m.text ? (
              <div class="yk-bubble">
                <RichText text={m.text} />
              </div>
            ) : null}
            {attachment && (
              <div class={`yk-bubble yk-attachment ${attachment.mime.startsWith('image/') ? 'yk-bubble-image' : ''}`}>
                <AttachmentBlock a={attachment} />
              </div>
            )}
            {last && when && (
              <div class="yk-meta">
                <time dateTime={m.created_at}>{formatTime(when, locale)}</time>
                {read && <span class="yk-read"> · {t('read')}</span>}
              </div>
            )}
          </div>
        </div>
      ),
    });
  });

  for (const p of state.pending) rows.push({ key: `p-${p.client_id}`, node: <PendingRow p={p} /> });

  if (state.typing) {
    rows.push({
      key: 'typing',
      node: (
        <div class="yk-row yk-theirs yk-first yk-last">
          <span class="yk-avatar-gap" />
          <div class="yk-bubble-wrap">
            <div class="yk-bubble yk-typing" aria-label={state.typing.name ? t('typing', { name: state.typing.name }) : t('typing_someone')}>
              <i />
              <i />
              <i />
            </div>
          </div>
        </div>
      ),
    });
  }

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
    if (atBottom.current) setShowJump(false);
  };

  const scrollToBottom = (smooth: boolean) => {
    const el = scroller.current;
    if (!el) return;
    if (smooth && typeof el.scrollTo === 'function') el.scrollTo({ top: el.scrollHeight, behavior: 'smooth' });
    else el.scrollTop = el.scrollHeight;
    atBottom.current = true;
    setShowJump(false);
  };

  const count = rows.length;
  const lastRow = rows[rows.length - 1]?.key;
  useLayoutEffect(() => {
    if (atBottom.current || lastRow?.startsWith('p-')) scrollToBottom(false);
    else setShowJump(true);
  }, [count, lastRow]);

  useEffect(() => {
    scrollToBottom(false);
    // Images change the height after they load: stay pinned to the bottom when we were.
    const el = scroller.current;
    if (!el) return;
    const onLoad = () => {
      if (atBottom.current) el.scrollTop = el.scrollHeight;
    };
    el.addEventListener('load', onLoad, true);
    return () => el.removeEventListener('load', onLoad, true);
  }, []);

  return (
    <div class="yk-scroll" ref={scroller} onScroll={onScroll}>
      <div class="yk-log" role="log" aria-live="polite" aria-relevant="additions">
        {rows.map((r) => (
          <div class="yk-item" key={r.key}>
            {r.node}
          </div>
        ))}
      </div>
      {state.typing && (
        <div class="yk-sr-only" aria-live="polite">
          {state.typing.name ? t('typing', { name: state.typing.name }) : t('typing_someone')}
        </div>
      )}
      {showJump && (
        <button type="button" class="yk-jump" onClick={() => scrollToBottom(true)}>
          {t('new_message_hint')}
          <ChevronDownIcon />
        </button>
      )}
    </div>
  );
}

function PendingRow({ p }: { p: PendingView }) {
  const { t, controller } = useUi();
  const imageUrl = p.preview || p.attachment?.url || null;
  const failed = p.status === 'failed';
  return (
    <div class={`yk-row yk-mine yk-first yk-last yk-pending ${failed ? 'yk-failed' : ''}`}>
      <div class="yk-bubble-wrap">
        {p.text != null && (
          <div class="yk-bubble">
            <RichText text={p.text} />
          </div>
        )}
        {p.attachment && (
          <div class={`yk-bubble yk-attachment ${p.attachment.mime.startsWith('image/') ? 'yk-bubble-image' : ''}`}>
            <AttachmentBlock a={{ ...p.attachment, url: imageUrl }} />
          </div>
        )}
        <div class="yk-meta">
          {failed ? (
            <span class="yk-fail">
              <AlertIcon />
              <span>{p.error ? t(p.error) : t('send_failed')}</span>
              <button type="button" class="yk-link-btn" onClick={() => controller.retry(p.client_id)}>
                {t('tap_to_retry')}
              </button>
              <button type="button" class="yk-link-btn" onClick={() => controller.discard(p.client_id)}>
                {t('discard')}
              </button>
            </span>
          ) : p.status === 'uploading' ? (
            t('uploading')
          ) : p.status === 'sending' ? (
            t('sending')
          ) : null}
        </div>
      </div>
    </div>
  );
}
