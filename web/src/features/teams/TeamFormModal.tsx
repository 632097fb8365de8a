import { useEffect } from 'react';
import { App as AntApp, Form, Input, Modal } from 'antd';
import { useTranslation } from 'react-i18next';
import { useCreateTeam, useUpdateTeam } from './queries';
import { isApiError } from '../../api/errors';
import { applyFieldErrors } from '../../api/fieldErrors';
import { describeError } from '../../api/errorText';
import type { Team, UpdateTeam } from '../../api/types';

type Values = { name: string; description?: string };

/** Create a team (`team` absent) or edit one. */
export function TeamFormModal({ open, team, onClose }: { open: boolean; team: Team | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<Values>();
  const create = useCreateTeam();
  const update = useUpdateTeam();
  const pending = create.isPending || update.isPending;

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    if (team) form.setFieldsValue({ name: team.name, description: team.description ?? '' });
  }, [open, team, form]);

  const onError = (error: unknown) => {
    if (isApiError(error) && error.code === 'conflict') {
      form.setFields([{ name: 'name', errors: [t('teams.nameTaken')] }]);
      return;
    }
    if (!applyFieldErrors(form, error, ['name', 'description'])) void message.error(describeError(t, error));
  };

  const onFinish = (values: Values) => {
    const name = values.name.trim();
    const description = values.description?.trim() ?? '';
    if (!team) {
      create.mutate(
        description ? { name, description } : { name },
        {
          onSuccess: (created) => {
            void message.success(t('teams.created', { name: created.name }));
            onClose();
          },
          onError,
        },
      );
      return;
    }
    const body: UpdateTeam = {};
    if (name !== team.name) body.name = name;
    if (description !== (team.description ?? '')) body.description = description;
    if (Object.keys(body).length === 0) {
      onClose();
      return;
    }
    update.mutate(
      { id: team.id, body },
      {
        onSuccess: (updated) => {
          void message.success(t('teams.updated', { name: updated.name }));
          onClose();
        },
        onError,
      },
    );
  };

  return (
    <Modal
      open={open}
      title={team ? t('teams.editTitle') : t('teams.createTitle')}
      okText={team ? t('common.save') : t('teams.create')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={pending}
      forceRender
      width={480}
    >
      <Form<Values> name="team" form={form} layout="vertical" requiredMark="optional" onFinish={onFinish} disabled={pending}>
        <Form.Item
          name="name"
          label={t('teams.fields.name')}
          rules={[{ required: true, whitespace: true, message: t('validation.required') }]}
        >
          <Input autoComplete="off" maxLength={100} />
        </Form.Item>
        <Form.Item name="description" label={t('teams.fields.description')}>
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 5 }} maxLength={1000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
