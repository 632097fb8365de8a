import { useEffect, useRef, useState } from 'preact/hooks';
import { MAX_TEXT } from '../controller';
import { useUi } from './context';
import { ImageIcon, SendIcon } from './icons';

export function Composer({ disabled }: { disabled?: boolean }) {
  const { t, controller, mode } = useUi();
  const [text, setText] = useState('');
  const area = useRef<HTMLTextAreaElement>(null);
  const file = useRef<HTMLInputElement>(null);

  const resize = () => {
    const el = area.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 132)}px`;
  };

  useEffect(resize, [text]);

  useEffect(() => {
    // Desktop embed: focus the composer when the panel opens. Not on touch devices, where
    // that would pop the keyboard over the conversation.
    const coarse = typeof matchMedia === 'function' && matchMedia('(pointer: coarse)').matches;
    if (mode === 'embed' && !coarse) area.current?.focus({ preventScroll: true });
  }, [mode]);

  const send = () => {
    if (disabled) return;
    if (controller.sendText(text)) setText('');
    area.current?.focus({ preventScroll: true });
  };

  const onKeyDown = (e: KeyboardEvent) => {
    // Enter sends, Shift+Enter is a new line; never while an IME (pinyin) is composing.
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      send();
    }
  };

  const pick = (files: FileList | File[] | null | undefined) => {
    const list = Array.from(files ?? []);
    for (const f of list) {
      const error = controller.sendFile(f);
      if (error) {
        controller.notice(error);
        break;
      }
    }
  };

  const onPaste = (e: ClipboardEvent) => {
    const files = Array.from(e.clipboardData?.files ?? []).filter((f) => f.type.startsWith('image/'));
    if (files.length > 0) {
      e.preventDefault();
      pick(files);
    }
  };

  const over = text.length > MAX_TEXT;
  const empty = text.trim().length === 0;

  return (
    <form
      class="yk-composer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <textarea
        ref={area}
        class="yk-input"
        rows={1}
        value={text}
        placeholder={t('composer_placeholder')}
        aria-label={t('composer_label')}
        enterkeyhint="send"
        disabled={disabled}
        onInput={(e) => {
          setText((e.currentTarget as HTMLTextAreaElement).value);
          controller.userTyping();
        }}
        onKeyDown={onKeyDown}
        onPaste={onPaste}
        onBlur={() => controller.stopTyping()}
      />
      {over && (
        <div class="yk-counter" role="alert">
          {t('text_too_long', { max: MAX_TEXT })}
        </div>
      )}
      <div class="yk-actions">
        <button
          type="button"
          class="yk-icon-btn yk-attach"
          aria-label={t('attach_image')}
          title={t('attach_image')}
          disabled={disabled}
          onClick={() => file.current?.click()}
        >
          <ImageIcon />
        </button>
        <input
          ref={file}
          type="file"
          accept="image/*"
          class="yk-hidden"
          tabIndex={-1}
          onChange={(e) => {
            const input = e.currentTarget as HTMLInputElement;
            pick(input.files);
            input.value = '';
          }}
        />
        <button type="submit" class="yk-send" aria-label={t('send')} title={t('send')} disabled={disabled || empty || over}>
          <SendIcon />
        </button>
      </div>
    </form>
  );
}
