import { useState } from 'react';
import { App as AntApp, Button, Card, Input, List, Space, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { RowActions } from './RowActions';
import { useCreateMarker, useDeleteMarker, useMarkers } from '../queries';
import { describeError } from '../../../api/errorText';

/** The account's list of progress markers agents put on tickets (已联系客户, 已寄出 …). */
export function MarkersTab() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const markers = useMarkers();
  const create = useCreateMarker();
  const remove = useDeleteMarker();
  const [name, setName] = useState('');

  const add = () => {
    if (!name.trim()) return;
    create.mutate(name.trim(), {
      onSuccess: () => {
        setName('');
        void message.success(t('ticketSettings.saved'));
      },
      onError: (error) => void message.error(describeError(t, error)),
    });
  };

  return (
    <>
      <Typography.Paragraph type="secondary">{t('markers.description')}</Typography.Paragraph>
      <Space.Compact style={{ marginBottom: 12, maxWidth: 420, width: '100%' }}>
        <Input value={name} onChange={(e) => setName(e.target.value)} onPressEnter={add} placeholder={t('markers.name')} aria-label={t('markers.name')} maxLength={50} />
        <Button type="primary" icon={<PlusOutlined />} onClick={add} loading={create.isPending} disabled={!name.trim()}>
          {t('markers.add')}
        </Button>
      </Space.Compact>
      <Card variant="outlined" styles={{ body: { padding: 0 } }}>
        <List
          loading={markers.isPending}
          dataSource={markers.data ?? []}
          locale={{ emptyText: markers.isError ? describeError(t, markers.error) : t('markers.empty') }}
          renderItem={(m) => (
            <List.Item
              style={{ paddingInline: 16 }}
              extra={<RowActions name={m.name} onDelete={() => remove.mutateAsync(m.id)} />}
            >
              {m.name}
            </List.Item>
          )}
        />
      </Card>
    </>
  );
}
