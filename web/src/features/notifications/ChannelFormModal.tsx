import { useEffect } from 'react';
import { Checkbox, Form, Input, InputNumber, Select, Switch, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { FormModal, useSaveOutcome } from '../tickets/FormModal';
import { CHANNEL_KINDS, OPTIONAL_SECRETS, channelKind, type NotifyChannel } from './model';
import { useSaveNotifyChannel, type ChannelBody } from './queries';
import styles from './Notifications.module.css';

type Values = {
  kind: string;
  name: string;
  enabled: boolean;
  position: number;
  config: Record<string, string | number | undefined>;
  secrets: Record<string, string | undefined>;
  /** Stored optional secrets to remove (an SMTP login no longer needed). */
  clear?: Record<string, boolean | undefined>;
};

/** Settings that are numbers to the provider (the SMTP port). */
const NUMERIC_CONFIG = new Set(['port']);

/** An API field of a channel → the form's field. */
export function channelFormPath(field: string): Array<string> | null {
  if (field === 'name' || field === 'kind' || field === 'enabled' || field === 'position') return [field];
  const m = /^(config|secrets)\.(\w+)$/.exec(field);
  return m ? [m[1], m[2]] : null;
}

/**
 * What the form sends: settings as typed (the port as a number), and only the secrets typed in;
 * a secret left empty keeps its stored value and is never sent back; `null` removes one.
 */
export function channelBody(values: Values, creating: boolean): ChannelBody {
  const kind = channelKind(values.kind);
  const config: Record<string, string | number> = {};
  for (const key of kind?.config ?? []) {
    const raw = values.config?.[key];
    if (raw === undefined || raw === '') continue;
    config[key] = NUMERIC_CONFIG.has(key) && /^\d+$/.test(String(raw)) ? Number(raw) : String(raw).trim();
  }
  const secrets: Record<string, string | null> = {};
  for (const key of kind?.secrets ?? []) {
    const raw = values.secrets?.[key];
    if (raw) secrets[key] = raw;
    else if (values.clear?.[key]) secrets[key] = null;
  }
  return {
    ...(creating ? { kind: values.kind } : {}),
    name: values.name,
    config,
    secrets,
    enabled: values.enabled,
    // Always sent: the API resets an omitted position to 0.
    position: values.position ?? 0,
  };
}

/** Create (`channel` null) or change a notification channel: provider kind, settings, secrets. */
export function ChannelFormModal({ open, channel, onClose }: { open: boolean; channel: NotifyChannel | null; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const save = useSaveNotifyChannel();
  const outcome = useSaveOutcome(form, channelFormPath, onClose, t('notifications.saved'));
  const kindName = Form.useWatch('kind', form) as string | undefined;
  const kind = kindName ? channelKind(kindName) : undefined;

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue(
      channel
        ? { kind: channel.kind, name: channel.name, enabled: channel.enabled, position: channel.position, config: { ...channel.config }, secrets: {} }
        : { kind: 'smtp', name: '', enabled: true, position: 0, config: { port: 465, security: 'tls' }, secrets: {} },
    );
  }, [open, channel, form]);

  const onFinish = (values: Values) => save.mutate({ id: channel?.id ?? null, body: channelBody(values, channel === null) }, outcome);

  return (
    <FormModal
      open={open}
      title={channel ? t('notifications.channels.edit') : t('notifications.channels.create')}
      form={form}
      pending={save.isPending}
      onClose={onClose}
      width={560}
    >
      <Form form={form} layout="vertical" onFinish={onFinish} preserve={false}>
        <Form.Item name="kind" label={t('notifications.channels.kind')} rules={[{ required: true }]}>
          <Select
            disabled={channel !== null}
            options={CHANNEL_KINDS.map((k) => ({ value: k.kind, label: t(`notifications.kinds.${k.kind}`) }))}
          />
        </Form.Item>
        <Form.Item name="name" label={t('notifications.channels.name')} rules={[{ required: true, whitespace: true, message: t('notifications.channels.nameRequired') }]}>
          <Input maxLength={80} />
        </Form.Item>
        {kind?.config.map((key) =>
          key === 'security' ? (
            <Form.Item key={key} name={['config', key]} label={t('notifications.config.security')}>
              <Select
                options={['tls', 'starttls', 'none'].map((v) => ({ value: v, label: t(`notifications.config.securities.${v}`) }))}
              />
            </Form.Item>
          ) : (
            <Form.Item key={key} name={['config', key]} label={t(`notifications.config.${key}`)} rules={[{ required: true, message: t('notifications.channels.required') }]}>
              <Input />
            </Form.Item>
          ),
        )}
        {kind?.secrets.map((key) => {
          const stored = channel?.secrets[key];
          const optional = OPTIONAL_SECRETS[kind.kind]?.includes(key) ?? false;
          return (
            <div key={key}>
              <Form.Item
                name={['secrets', key]}
                label={t(`notifications.config.${key}`)}
                rules={stored || optional ? [] : [{ required: true, message: t('notifications.channels.required') }]}
                extra={stored ? t('notifications.channels.secretKept', { masked: stored }) : undefined}
              >
                <Input.Password
                  autoComplete="new-password"
                  placeholder={stored ? stored : optional ? t('notifications.channels.optional') : undefined}
                  className={styles.secretSet}
                />
              </Form.Item>
              {stored && optional && (
                <Form.Item name={['clear', key]} valuePropName="checked" style={{ marginTop: -16 }}>
                  <Checkbox>{t('notifications.channels.clearSecret', { name: t(`notifications.config.${key}`) })}</Checkbox>
                </Form.Item>
              )}
            </div>
          );
        })}
        <Form.Item name="enabled" label={t('notifications.channels.enabled')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Form.Item name="position" label={t('notifications.channels.position')} extra={t('notifications.channels.positionHelp')}>
          <InputNumber precision={0} />
        </Form.Item>
        {channel?.receipt_url && (
          <Form.Item label={t('notifications.channels.receiptUrl')} extra={t('notifications.channels.receiptUrlHelp')}>
            <Typography.Text copyable code>
              {channel.receipt_url}
            </Typography.Text>
          </Form.Item>
        )}
      </Form>
    </FormModal>
  );
}
