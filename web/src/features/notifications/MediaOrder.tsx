import { Button, Flex, Select, Tag, Typography } from 'antd';
import { ArrowDownOutlined, ArrowUpOutlined, CloseOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { MEDIA } from './model';

/**
 * The media of a rule in preferred order: the first is tried first, the later ones are backups
 * in this order (or, for important notices, all are used at once).
 */
export function MediaOrder({ value = [], onChange, important }: { value?: string[]; onChange?: (value: string[]) => void; important: boolean }) {
  const { t } = useTranslation();
  const set = (next: string[]) => onChange?.(next);
  const move = (i: number, by: number) => {
    const next = [...value];
    const [item] = next.splice(i, 1);
    next.splice(i + by, 0, item);
    set(next);
  };
  const left = MEDIA.filter((m) => !value.includes(m));
  return (
    <Flex vertical gap={6}>
      {value.map((m, i) => {
        const name = t(`notifications.media.${m}`, { defaultValue: m });
        return (
          <Flex key={m} align="center" gap={8} role="listitem" aria-label={name}>
            <Tag color={i === 0 || important ? 'blue' : undefined}>
              {important ? t('notifications.rules.together') : i === 0 ? t('notifications.rules.preferred') : t('notifications.rules.backup', { n: i })}
            </Tag>
            <Typography.Text style={{ minWidth: 80 }}>{name}</Typography.Text>
            <Button size="small" type="text" icon={<ArrowUpOutlined />} disabled={i === 0} aria-label={t('notifications.rules.moveUp', { name })} onClick={() => move(i, -1)} />
            <Button size="small" type="text" icon={<ArrowDownOutlined />} disabled={i === value.length - 1} aria-label={t('notifications.rules.moveDown', { name })} onClick={() => move(i, 1)} />
            <Button size="small" type="text" danger icon={<CloseOutlined />} aria-label={t('notifications.rules.removeMedium', { name })} onClick={() => set(value.filter((x) => x !== m))} />
          </Flex>
        );
      })}
      {left.length > 0 && (
        <Select
          style={{ width: 220 }}
          value={null}
          placeholder={t('notifications.rules.addMedium')}
          aria-label={t('notifications.rules.addMedium')}
          options={left.map((m) => ({ value: m, label: t(`notifications.media.${m}`) }))}
          onChange={(m: string | null) => m && set([...value, m])}
        />
      )}
    </Flex>
  );
}
