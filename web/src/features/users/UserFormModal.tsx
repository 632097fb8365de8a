import { useEffect } from 'react';
import { App as AntApp, Form, Input, Modal, Select, Switch } from 'antd';
import { useTranslation } from 'react-i18next';
import { useCreateUser, useUpdateUser } from './queries';
import { assignableRoles } from '../auth/roles';
import { isApiError } from '../../api/errors';
import { applyFieldErrors } from '../../api/fieldErrors';
import { describeError } from '../../api/errorText';
import { LOCALES } from '../../i18n';
import type { CreateUser, Locale, Role, UpdateUser, User } from '../../api/types';

type Values = {
  email: string;
  name: string;
  role: Role;
  password?: string;
  locale: Locale;
  active: boolean;
};

const FIELDS = ['email', 'name', 'role', 'password', 'locale', 'active'] as const;

/** Create a user (`user` absent) or edit one. */
export function UserFormModal({
  open,
  user,
  actorRole,
  onClose,
}: {
  open: boolean;
  user: User | null;
  actorRole: Role;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<Values>();
  const create = useCreateUser();
  const update = useUpdateUser();
  const editing = user !== null;
  const pending = create.isPending || update.isPending;

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue(
      user
        ? { email: user.email, name: user.name, role: user.role, locale: user.locale, active: user.active, password: '' }
        : { role: 'agent', locale: 'zh-CN', active: true },
    );
  }, [open, user, form]);

  const onError = (error: unknown) => {
    if (isApiError(error) && error.code === 'conflict') {
      form.setFields([{ name: 'email', errors: [t('users.emailTaken')] }]);
      return;
    }
    if (!applyFieldErrors(form, error, FIELDS)) void message.error(describeError(t, error));
  };

  const onFinish = (values: Values) => {
    if (!user) {
      const body: CreateUser = {
        email: values.email.trim(),
        name: values.name.trim(),
        role: values.role,
        password: values.password ?? '',
        locale: values.locale,
      };
      create.mutate(body, {
        onSuccess: (created) => {
          void message.success(t('users.created', { name: created.name }));
          onClose();
        },
        onError,
      });
      return;
    }
    // PATCH carries only what changed.
    const body: UpdateUser = {};
    if (values.name.trim() !== user.name) body.name = values.name.trim();
    if (values.role !== user.role) body.role = values.role;
    if (values.locale !== user.locale) body.locale = values.locale;
    if (values.active !== user.active) body.active = values.active;
    if (values.password) body.password = values.password;
    if (Object.keys(body).length === 0) {
      onClose();
      return;
    }
    update.mutate(
      { id: user.id, body },
      {
        onSuccess: (updated) => {
          void message.success(t('users.updated', { name: updated.name }));
          onClose();
        },
        onError,
      },
    );
  };

  return (
    <Modal
      open={open}
      title={editing ? t('users.editTitle') : t('users.createTitle')}
      okText={editing ? t('common.save') : t('users.create')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={pending}
      forceRender
      width={480}
    >
      <Form<Values>
        name="user"
        form={form}
        layout="vertical"
        requiredMark={editing ? false : 'optional'}
        onFinish={onFinish}
        disabled={pending}
      >
        <Form.Item
          name="email"
          label={t('users.fields.email')}
          rules={[
            { required: !editing, message: t('validation.required') },
            { type: 'email', message: t('validation.email') },
          ]}
        >
          <Input autoComplete="off" disabled={editing} placeholder="name@example.com" />
        </Form.Item>
        <Form.Item
          name="name"
          label={t('users.fields.name')}
          rules={[{ required: true, whitespace: true, message: t('validation.required') }]}
        >
          <Input autoComplete="off" maxLength={100} />
        </Form.Item>
        <Form.Item name="role" label={t('users.fields.role')} rules={[{ required: true, message: t('validation.required') }]}>
          <Select
            options={assignableRoles(actorRole).map((role) => ({ value: role, label: t(`roles.${role}`) }))}
          />
        </Form.Item>
        <Form.Item name="locale" label={t('users.fields.locale')} rules={[{ required: true }]}>
          <Select options={LOCALES.map((locale) => ({ value: locale, label: t(`language.${locale}`) }))} />
        </Form.Item>
        <Form.Item
          name="password"
          label={editing ? t('users.fields.resetPassword') : t('users.fields.password')}
          extra={editing ? t('users.resetPasswordHint') : undefined}
          rules={[{ required: !editing, message: t('validation.required') }]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        {editing && (
          <Form.Item name="active" label={t('users.fields.active')} valuePropName="checked">
            <Switch checkedChildren={t('users.status.active')} unCheckedChildren={t('users.status.deactivated')} />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}
