import { useEffect } from 'react';
import { App as AntApp, Button, Card, Form, Input, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { useUpdateMe } from './queries';
import { useCurrentSession } from '../auth/session';
import { RoleTag } from '../users/RoleTag';
import { applyFieldErrors } from '../../api/fieldErrors';
import { describeError } from '../../api/errorText';
import { LOCALES, setLocale } from '../../i18n';
import type { Locale, UpdateMe } from '../../api/types';

type Values = { name: string; locale: Locale };

export function ProfileForm() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const { user } = useCurrentSession();
  const [form] = Form.useForm<Values>();
  const update = useUpdateMe();

  useEffect(() => {
    form.setFieldsValue({ name: user.name, locale: user.locale });
  }, [user, form]);

  const onFinish = (values: Values) => {
    const body: UpdateMe = {};
    if (values.name.trim() !== user.name) body.name = values.name.trim();
    if (values.locale !== user.locale) body.locale = values.locale;
    if (Object.keys(body).length === 0) {
      void message.info(t('profile.nothingChanged'));
      return;
    }
    update.mutate(body, {
      onSuccess: (updated) => {
        // The saved preference also becomes this browser's language.
        if (body.locale) void setLocale(updated.locale);
        void message.success(t('profile.saved'));
      },
      onError: (error) => {
        if (!applyFieldErrors(form, error, ['name', 'locale'])) void message.error(describeError(t, error));
      },
    });
  };

  return (
    <Card title={t('profile.details')} variant="outlined">
      <Form<Values> name="profile" form={form} layout="vertical" requiredMark={false} onFinish={onFinish} disabled={update.isPending}>
        <Form.Item label={t('users.fields.email')}>
          <Input value={user.email} disabled />
        </Form.Item>
        <Form.Item label={t('users.fields.role')}>
          <RoleTag role={user.role} />
        </Form.Item>
        <Form.Item
          name="name"
          label={t('users.fields.name')}
          rules={[{ required: true, whitespace: true, message: t('validation.required') }]}
        >
          <Input maxLength={100} autoComplete="name" />
        </Form.Item>
        <Form.Item name="locale" label={t('profile.locale')} extra={t('profile.localeHint')}>
          <Select options={LOCALES.map((locale) => ({ value: locale, label: t(`language.${locale}`) }))} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={update.isPending}>
          {t('common.save')}
        </Button>
      </Form>
    </Card>
  );
}
