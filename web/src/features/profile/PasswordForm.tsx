import { App as AntApp, Button, Card, Form, Input } from 'antd';
import { useTranslation } from 'react-i18next';
import { useUpdateMe } from './queries';
import { isApiError } from '../../api/errors';
import { applyFieldErrors } from '../../api/fieldErrors';
import { describeError } from '../../api/errorText';

type Values = { current_password: string; password: string; confirm: string };

export function PasswordForm() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<Values>();
  const update = useUpdateMe();

  const onFinish = ({ current_password, password }: Values) => {
    update.mutate(
      { current_password, password },
      {
        onSuccess: () => {
          form.resetFields();
          void message.success(t('profile.passwordChanged'));
        },
        onError: (error) => {
          if (applyFieldErrors(form, error, ['current_password', 'password'])) return;
          if (isApiError(error) && error.code === 'forbidden') {
            form.setFields([{ name: 'current_password', errors: [t('profile.wrongCurrentPassword')] }]);
            return;
          }
          void message.error(describeError(t, error));
        },
      },
    );
  };

  return (
    <Card title={t('profile.changePassword')} variant="outlined">
      <Form<Values> name="password" form={form} layout="vertical" requiredMark={false} onFinish={onFinish} disabled={update.isPending}>
        <Form.Item
          name="current_password"
          label={t('profile.currentPassword')}
          rules={[{ required: true, message: t('validation.required') }]}
        >
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item
          name="password"
          label={t('profile.newPassword')}
          rules={[{ required: true, message: t('validation.required') }]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('profile.confirmPassword')}
          dependencies={['password']}
          rules={[
            { required: true, message: t('validation.required') },
            ({ getFieldValue }) => ({
              validator: (_, value) =>
                !value || getFieldValue('password') === value
                  ? Promise.resolve()
                  : Promise.reject(new Error(t('profile.passwordMismatch'))),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={update.isPending}>
          {t('profile.changePassword')}
        </Button>
      </Form>
    </Card>
  );
}
