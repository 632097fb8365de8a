import { useState } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { Alert, Button, Card, Flex, Form, Input, Typography } from 'antd';
import { LockOutlined, MailOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useLogin, useSession } from './session';
import { isApiError } from '../../api/errors';
import { describeError } from '../../api/errorText';
import { applyFieldErrors } from '../../api/fieldErrors';
import { LanguageSwitch } from '../../i18n/LanguageSwitch';
import { setLocale, storedLocale } from '../../i18n';
import { Brand } from '../layout/Brand';
import type { LoginRequest } from '../../api/types';
import styles from './LoginPage.module.css';

const DEFAULT_TARGET = '/inbox';

function targetFrom(state: unknown): string {
  const from = (state as { from?: unknown } | null)?.from;
  return typeof from === 'string' && from.startsWith('/') && !from.startsWith('/login') ? from : DEFAULT_TARGET;
}

export default function LoginPage() {
  const { t } = useTranslation();
  const location = useLocation();
  const navigate = useNavigate();
  const [form] = Form.useForm<LoginRequest>();
  const session = useSession();
  const login = useLogin();
  const [problem, setProblem] = useState<string | null>(null);
  const target = targetFrom(location.state);

  if (session.data) return <Navigate to={target} replace />;

  const onFinish = (values: LoginRequest) => {
    setProblem(null);
    login.mutate(values, {
      onSuccess: (signedIn) => {
        // A browser without an explicit choice follows the user's saved language.
        if (storedLocale() === null && signedIn.user.locale !== 'zh-CN') void setLocale(signedIn.user.locale);
        void navigate(target, { replace: true });
      },
      onError: (error) => {
        if (isApiError(error) && error.status === 401) {
          setProblem(t('login.invalidCredentials'));
        } else if (isApiError(error) && error.status === 422 && applyFieldErrors(form, error, ['email', 'password'])) {
          setProblem(null);
        } else {
          setProblem(describeError(t, error));
        }
      },
    });
  };

  return (
    <div className={styles.page}>
      <Flex justify="space-between" align="center" className={styles.top}>
        <Brand />
        <LanguageSwitch size="small" />
      </Flex>
      <Flex align="center" justify="center" className={styles.center}>
        <Card className={styles.card} variant="outlined">
          <Typography.Title level={3} className={styles.title}>
            {t('login.title')}
          </Typography.Title>
          <Typography.Paragraph type="secondary" className={styles.subtitle}>
            {t('login.subtitle')}
          </Typography.Paragraph>
          {problem && <Alert type="error" showIcon title={problem} className={styles.alert} role="alert" />}
          <Form<LoginRequest>
            name="login"
            form={form}
            layout="vertical"
            requiredMark={false}
            onFinish={onFinish}
            onValuesChange={() => setProblem(null)}
            disabled={login.isPending}
          >
            <Form.Item
              name="email"
              label={t('login.email')}
              rules={[
                { required: true, message: t('validation.required') },
                { type: 'email', message: t('validation.email') },
              ]}
            >
              <Input prefix={<MailOutlined />} autoComplete="username" autoFocus placeholder="name@example.com" />
            </Form.Item>
            <Form.Item
              name="password"
              label={t('login.password')}
              rules={[{ required: true, message: t('validation.required') }]}
            >
              <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block size="large" loading={login.isPending}>
              {t('login.submit')}
            </Button>
          </Form>
        </Card>
      </Flex>
      <Typography.Text type="secondary" className={styles.footer}>
        {t('login.footer')}
      </Typography.Text>
    </div>
  );
}
