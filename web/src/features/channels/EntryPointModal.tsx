import { useEffect } from 'react';
import { App as AntApp, Form, Input, Modal } from 'antd';
import { useTranslation } from 'react-i18next';
import { useCreateEntryPoint } from './queries';
import { KEY_PATTERN } from './settings';
import { isApiError } from '../../api/errors';
import { applyFieldErrors } from '../../api/fieldErrors';
import { describeError } from '../../api/errorText';
import type { CreateEntryPoint } from '../../api/types';
import styles from './Channels.module.css';

const FIELDS = ['key', 'name', 'campaign', 'ad_plan', 'business_module', 'landing_page'] as const;

export function EntryPointModal({ channelId, open, onClose }: { channelId: number; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<CreateEntryPoint>();
  const create = useCreateEntryPoint(channelId);

  useEffect(() => {
    if (open) form.resetFields();
  }, [open, form]);

  const onFinish = (values: CreateEntryPoint) => {
    const body: CreateEntryPoint = { key: values.key.trim(), name: values.name.trim() };
    for (const field of ['campaign', 'ad_plan', 'business_module', 'landing_page'] as const) {
      const value = values[field]?.trim();
      if (value) body[field] = value;
    }
    create.mutate(body, {
      onSuccess: (entry) => {
        void message.success(t('channels.entries.created', { name: entry.name }));
        onClose();
      },
      onError: (error) => {
        if (isApiError(error) && error.code === 'conflict') {
          form.setFields([{ name: 'key', errors: [t('channels.entries.keyTaken')] }]);
          return;
        }
        if (!applyFieldErrors(form, error, FIELDS)) void message.error(describeError(t, error));
      },
    });
  };

  return (
    <Modal
      open={open}
      title={t('channels.entries.createTitle')}
      okText={t('channels.entries.create')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={create.isPending}
      forceRender
      width={560}
    >
      <Form<CreateEntryPoint> name="entry-point" form={form} layout="vertical" requiredMark="optional" onFinish={onFinish} disabled={create.isPending}>
        <div className={styles.formGrid2}>
          <Form.Item
            name="key"
            label={t('channels.entries.key')}
            extra={t('channels.entries.keyHint')}
            rules={[
              { required: true, message: t('validation.required') },
              { pattern: KEY_PATTERN, message: t('channels.form.namePattern') },
            ]}
          >
            <Input autoComplete="off" placeholder="spring-sale" maxLength={40} />
          </Form.Item>
          <Form.Item
            name="name"
            label={t('channels.entries.name')}
            rules={[{ required: true, whitespace: true, message: t('validation.required') }]}
          >
            <Input autoComplete="off" maxLength={100} />
          </Form.Item>
          <Form.Item name="campaign" label={t('channels.entries.campaign')}>
            <Input autoComplete="off" maxLength={200} />
          </Form.Item>
          <Form.Item name="ad_plan" label={t('channels.entries.adPlan')}>
            <Input autoComplete="off" maxLength={200} />
          </Form.Item>
          <Form.Item name="business_module" label={t('channels.entries.businessModule')}>
            <Input autoComplete="off" maxLength={200} />
          </Form.Item>
          <Form.Item name="landing_page" label={t('channels.entries.landingPage')}>
            <Input autoComplete="off" placeholder="https://" maxLength={2048} />
          </Form.Item>
        </div>
      </Form>
    </Modal>
  );
}
