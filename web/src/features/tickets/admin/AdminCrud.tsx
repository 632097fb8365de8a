import { Button, Card, Table, Typography, type TableProps } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import type { UseQueryResult } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { describeError } from '../../../api/errorText';

/** An admin list: what it is, a create button and the table. */
export function AdminList<T extends { id: number }>({
  description,
  createLabel,
  onCreate,
  columns,
  query,
  emptyText,
}: {
  description: string;
  createLabel: string;
  onCreate: () => void;
  columns: TableProps<T>['columns'];
  query: UseQueryResult<T[]>;
  emptyText: string;
}) {
  const { t } = useTranslation();
  return (
    <>
      <Typography.Paragraph type="secondary">{description}</Typography.Paragraph>
      <Button type="primary" icon={<PlusOutlined />} onClick={onCreate} style={{ marginBottom: 12 }}>
        {createLabel}
      </Button>
      <Card variant="outlined" styles={{ body: { padding: 0 } }}>
        <Table<T>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={query.data ?? []}
          loading={query.isPending}
          pagination={false}
          locale={{ emptyText: query.isError ? describeError(t, query.error) : emptyText }}
        />
      </Card>
    </>
  );
}

export { FormModal, useSaveOutcome } from '../FormModal';
