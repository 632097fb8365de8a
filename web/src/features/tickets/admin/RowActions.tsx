import { App as AntApp, Button, Popconfirm, Space, Tooltip } from 'antd';
import { DeleteOutlined, EditOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { ReactNode } from 'react';
import { describeError } from '../../../api/errorText';

/** Edit and delete buttons of an admin table row (delete asks first; a refusal, such as a calendar in use, is shown). */
export function RowActions({ name, onEdit, onDelete, children }: { name: string; onEdit?: () => void; onDelete: () => Promise<unknown>; children?: ReactNode }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  return (
    <Space size={4}>
      {children}
      {onEdit && (
        <Tooltip title={t('common.edit')}>
          <Button type="text" size="small" icon={<EditOutlined />} aria-label={t('ticketSettings.editNamed', { name })} onClick={onEdit} />
        </Tooltip>
      )}
      <Popconfirm
        title={t('ticketSettings.deleteConfirm', { name })}
        okText={t('common.delete')}
        okButtonProps={{ danger: true }}
        cancelText={t('common.cancel')}
        onConfirm={() => onDelete().catch((error: unknown) => void message.error(describeError(t, error)))}
      >
        <Tooltip title={t('common.delete')}>
          <Button type="text" size="small" danger icon={<DeleteOutlined />} aria-label={t('ticketSettings.deleteNamed', { name })} />
        </Tooltip>
      </Popconfirm>
    </Space>
  );
}
