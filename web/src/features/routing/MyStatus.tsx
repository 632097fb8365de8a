import { App as AntApp, Button, Dropdown, type MenuProps } from 'antd';
import { DownOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useAgents, useSetMyStatus } from './queries';
import { StatusDot, statusLabel } from './StatusTag';
import { STATUSES } from './trace';
import { describeError } from '../../api/errorText';
import type { StatusName } from '../../api/types';
import styles from './Routing.module.css';

/** The signed-in agent's availability in the top bar, and the switch to change it. */
export function MyStatus({ userId }: { userId: number }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const agents = useAgents({ poll: true });
  const setStatus = useSetMyStatus();
  const me = agents.data?.find((a) => a.user_id === userId);
  if (!me) return null;
  const current = setStatus.isPending && setStatus.variables ? setStatus.variables : me.status;

  const items: MenuProps['items'] = STATUSES.map((status) => ({
    key: status,
    label: (
      <span className={styles.statusOption}>
        <StatusDot status={status} />
        {statusLabel(t, status)}
      </span>
    ),
  }));

  const onClick: MenuProps['onClick'] = ({ key }) => {
    const status = key as StatusName;
    if (status === me.status) return;
    setStatus.mutate(status, {
      onSuccess: () => void message.success(t('routing.myStatus.changed', { status: statusLabel(t, status) })),
      onError: (error) => void message.error(describeError(t, error)),
    });
  };

  return (
    <Dropdown menu={{ items, onClick, selectable: true, selectedKeys: [current] }} trigger={['click']} placement="bottomRight">
      <Button
        type="text"
        className={styles.myStatus}
        loading={setStatus.isPending}
        aria-label={t('routing.myStatus.current', { status: statusLabel(t, current) })}
      >
        <StatusDot status={current} />
        <span className={styles.myStatusLabel}>{statusLabel(t, current)}</span>
        <DownOutlined className={styles.caret} />
      </Button>
    </Dropdown>
  );
}
