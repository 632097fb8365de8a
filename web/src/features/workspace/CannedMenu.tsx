import { Spin, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { CannedResponse } from '../../api/types';
import styles from './Workspace.module.css';

/** The suggestions shown above the composer while the agent types "/code". */
export function CannedMenu({
  id,
  prefix,
  items,
  active,
  loading,
  onPick,
  onHover,
}: {
  id: string;
  prefix: string;
  items: CannedResponse[];
  active: number;
  loading: boolean;
  onPick: (item: CannedResponse) => void;
  onHover: (index: number) => void;
}) {
  const { t } = useTranslation();
  return (
    <div className={styles.cannedMenu}>
      <div className={styles.cannedTitle}>{t('workspace.canned.label')}</div>
      {loading ? (
        <div className={styles.cannedEmpty}>
          <Spin size="small" /> {t('workspace.canned.loading')}
        </div>
      ) : items.length === 0 ? (
        <div className={styles.cannedEmpty}>{t('workspace.canned.empty', { prefix: `/${prefix}` })}</div>
      ) : (
        <ul id={id} role="listbox" aria-label={t('workspace.canned.label')} className={styles.cannedList}>
          {items.map((item, index) => (
            <li
              key={item.id}
              id={`${id}-${item.id}`}
              role="option"
              aria-selected={index === active}
              className={index === active ? `${styles.cannedItem} ${styles.cannedActive}` : styles.cannedItem}
              // mousedown, not click: the textarea keeps the focus.
              onMouseDown={(event) => {
                event.preventDefault();
                onPick(item);
              }}
              onMouseEnter={() => onHover(index)}
            >
              <Typography.Text code className={styles.cannedCode}>
                /{item.short_code}
              </Typography.Text>
              <span className={styles.cannedContent}>{item.content}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
