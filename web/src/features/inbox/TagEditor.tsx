import { useState } from 'react';
import { App as AntApp, Input, Tag } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { describeError } from '../../api/errorText';
import styles from './Inbox.module.css';

/** The server's tag rule: 1–50 characters, no commas. */
export function validTag(tag: string): boolean {
  const t = tag.trim();
  return t.length > 0 && Array.from(t).length <= 50 && !t.includes(',');
}

/** Tags with remove buttons and an inline "add" field. */
export function TagEditor({
  tags,
  onChange,
  addLabel,
  busy,
}: {
  tags: string[];
  onChange: (tag: string, on: boolean) => Promise<unknown>;
  addLabel: string;
  busy: boolean;
}) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [adding, setAdding] = useState(false);
  const [value, setValue] = useState('');

  const run = (tag: string, on: boolean) => onChange(tag, on).catch((error: unknown) => void message.error(describeError(t, error)));

  const commit = () => {
    const tag = value.trim();
    setAdding(false);
    setValue('');
    if (!tag || tags.includes(tag)) return;
    if (!validTag(tag)) {
      void message.error(t('inbox.tagInvalid'));
      return;
    }
    void run(tag, true);
  };

  return (
    <div className={styles.tags}>
      {tags.map((tag) => (
        <Tag
          key={tag}
          closable={!busy}
          onClose={(event) => {
            event.preventDefault();
            void run(tag, false);
          }}
          className={styles.tag}
        >
          {tag}
        </Tag>
      ))}
      {adding ? (
        <Input
          size="small"
          autoFocus
          value={value}
          maxLength={50}
          onChange={(event) => setValue(event.target.value)}
          onBlur={commit}
          onPressEnter={commit}
          onKeyDown={(event) => {
            if (event.key === 'Escape') {
              setAdding(false);
              setValue('');
            }
          }}
          aria-label={addLabel}
          className={styles.tagInput}
        />
      ) : (
        <Tag
          className={styles.addTag}
          onClick={() => setAdding(true)}
          icon={<PlusOutlined />}
          role="button"
          tabIndex={0}
          onKeyDown={(event) => {
            if (event.key === 'Enter' || event.key === ' ') setAdding(true);
          }}
        >
          {addLabel}
        </Tag>
      )}
    </div>
  );
}
