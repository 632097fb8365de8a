import { Button, Tooltip } from 'antd';
import { BellOutlined, BellFilled } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';

/** The inbox header's switch for new-assignment alerts (sound and desktop notifications). */
export function AlertToggle({
  enabled,
  permission,
  onToggle,
}: {
  enabled: boolean;
  permission: NotificationPermission | 'unsupported';
  onToggle: () => void;
}) {
  const { t } = useTranslation();
  const label = !enabled
    ? t('workspace.alerts.off')
    : permission === 'granted'
      ? t('workspace.alerts.on')
      : t('workspace.alerts.soundOnly');
  return (
    <Tooltip title={label}>
      <Button
        type="text"
        size="small"
        icon={enabled ? <BellFilled /> : <BellOutlined />}
        aria-label={label}
        aria-pressed={enabled}
        onClick={onToggle}
        data-testid="alert-toggle"
      />
    </Tooltip>
  );
}
