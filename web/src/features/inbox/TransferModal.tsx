import { useEffect } from 'react';
import { App as AntApp, Form, Input, Modal, Select, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useTransfer } from './queries';
import { useUsers } from '../users/queries';
import { useTeams } from '../teams/queries';
import { applyFieldErrorPaths } from '../../api/fieldErrors';
import { describeError } from '../../api/errorText';
import type { Conversation, Transfer } from '../../api/types';

/** Select value meaning "clear it" (unassign, no team). */
const NONE = -1;

type Values = { assignee?: number; team?: number; note?: string };

export function TransferModal({
  conversation,
  open,
  onClose,
  onChanged,
}: {
  conversation: Conversation;
  open: boolean;
  onClose: () => void;
  onChanged: (conversation: Conversation) => void;
}) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<Values>();
  const users = useUsers();
  const teams = useTeams();
  const transfer = useTransfer(onChanged);

  useEffect(() => {
    if (open) form.resetFields();
  }, [open, form]);

  const onFinish = (values: Values) => {
    const body: Transfer = {};
    if (values.assignee !== undefined) body.assignee_id = values.assignee === NONE ? null : values.assignee;
    if (values.team !== undefined) body.team_id = values.team === NONE ? null : values.team;
    const note = values.note?.trim();
    if (note) body.note = note;
    transfer.mutate(
      { id: conversation.id, body },
      {
        onSuccess: () => {
          void message.success(t('inbox.transferred'));
          onClose();
        },
        onError: (error) => {
          const paths: Record<string, string[]> = { assignee_id: ['assignee'], team_id: ['team'], note: ['note'] };
          if (!applyFieldErrorPaths(form, error, (field) => paths[field] ?? null)) void message.error(describeError(t, error));
        },
      },
    );
  };

  const userOptions = [
    { value: NONE, label: t('inbox.transfer.unassign') },
    ...(users.data ?? [])
      .filter((u) => u.active)
      .map((u) => ({ value: u.id, label: `${u.name} · ${u.email}` })),
  ];
  const teamOptions = [
    { value: NONE, label: t('inbox.transfer.noTeam') },
    ...(teams.data ?? []).map((team) => ({ value: team.id, label: team.name })),
  ];

  return (
    <Modal
      open={open}
      title={t('inbox.transfer.title', { number: conversation.number })}
      okText={t('inbox.transfer.submit')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={transfer.isPending}
      forceRender
      width={480}
    >
      <Typography.Paragraph type="secondary" style={{ fontSize: 13 }}>
        {t('inbox.transfer.description')}
      </Typography.Paragraph>
      <Form<Values> form={form} layout="vertical" onFinish={onFinish} disabled={transfer.isPending} requiredMark={false}>
        <Form.Item
          name="assignee"
          label={t('inbox.transfer.assignee')}
          dependencies={['team']}
          rules={[
            ({ getFieldValue }) => ({
              validator: (_, value) =>
                value === undefined && getFieldValue('team') === undefined
                  ? Promise.reject(new Error(t('inbox.transfer.pickOne')))
                  : Promise.resolve(),
            }),
          ]}
        >
          <Select
            showSearch={{ optionFilterProp: 'label' }}
            allowClear
            loading={users.isPending}
            options={userOptions}
            placeholder={t('inbox.transfer.keep')}
          />
        </Form.Item>
        <Form.Item name="team" label={t('inbox.transfer.team')}>
          <Select
            showSearch={{ optionFilterProp: 'label' }}
            allowClear
            loading={teams.isPending}
            options={teamOptions}
            placeholder={t('inbox.transfer.keep')}
          />
        </Form.Item>
        <Form.Item name="note" label={t('inbox.transfer.note')} extra={t('inbox.transfer.noteHint')}>
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 5 }} maxLength={10_000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
