import { useEffect } from 'react';
import { App as AntApp, Button, Checkbox, ColorPicker, Form, Input, Modal, Select, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useCreateChannel, useUpdateChannel } from './queries';
import {
  DEFAULT_COLOUR,
  FIELD_KINDS,
  KEY_PATTERN,
  MAX_FORM_FIELDS,
  WIDGET_LOCALES,
  formPathOf,
  readSettings,
  type FieldKind,
  type WidgetSettings,
} from './settings';
import { applyFieldErrorPaths } from '../../api/fieldErrors';
import { describeError } from '../../api/errorText';
import type { Channel } from '../../api/types';
import styles from './Channels.module.css';

type FieldValues = { name?: string; label?: string; kind?: FieldKind; required?: boolean; options?: string[] };
type Values = { name: string; greeting: string; colour: string; locale: string; pre_chat_form: FieldValues[] };

const DEFAULT_GREETING_KEY = 'channels.defaults.greeting';

function toSettings(values: Values): WidgetSettings {
  return {
    greeting: values.greeting.trim(),
    colour: values.colour,
    locale: values.locale,
    pre_chat_form: (values.pre_chat_form ?? []).map((f) => {
      const kind = f.kind ?? 'text';
      const options = (f.options ?? []).map((o) => o.trim()).filter(Boolean);
      return {
        name: (f.name ?? '').trim(),
        label: (f.label ?? '').trim(),
        kind,
        required: f.required === true,
        ...(kind === 'select' ? { options } : {}),
      };
    }),
  };
}

/** API error paths to form name paths: `settings.pre_chat_form[1].kind` → `['pre_chat_form', 1, 'kind']`. */
export function channelFormPath(field: string): Array<string | number> | null {
  if (field === 'name') return ['name'];
  if (!field.startsWith('settings.')) return null;
  const path = formPathOf(field);
  if (!path) return null;
  const top = path[0];
  return top === 'greeting' || top === 'colour' || top === 'locale' || top === 'pre_chat_form' ? path : null;
}

/** Create a web-widget channel (`channel` absent) or edit one's name and settings. */
export function ChannelFormModal({
  open,
  channel,
  onClose,
  onCreated,
}: {
  open: boolean;
  channel: Channel | null;
  onClose: () => void;
  onCreated?: (channel: Channel) => void;
}) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<Values>();
  const create = useCreateChannel();
  const update = useUpdateChannel(channel?.id ?? 0);
  const pending = create.isPending || update.isPending;

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    if (channel) {
      const settings = readSettings(channel.settings);
      form.setFieldsValue({ name: channel.name, ...settings });
    } else {
      form.setFieldsValue({
        name: '',
        greeting: t(DEFAULT_GREETING_KEY),
        colour: DEFAULT_COLOUR,
        locale: 'zh-CN',
        pre_chat_form: [],
      });
    }
  }, [open, channel, form, t]);

  const onError = (error: unknown) => {
    if (!applyFieldErrorPaths(form, error, channelFormPath)) void message.error(describeError(t, error));
  };

  const onFinish = (values: Values) => {
    const name = values.name.trim();
    const settings = toSettings(values);
    if (!channel) {
      create.mutate(
        { name, settings },
        {
          onSuccess: (created) => {
            void message.success(t('channels.created', { name: created.name }));
            onClose();
            onCreated?.(created);
          },
          onError,
        },
      );
      return;
    }
    update.mutate(
      { name: name !== channel.name ? name : undefined, settings },
      {
        onSuccess: (updated) => {
          void message.success(t('channels.updated', { name: updated.name }));
          onClose();
        },
        onError,
      },
    );
  };

  const kindOptions = FIELD_KINDS.map((kind) => ({ value: kind, label: t(`channels.kinds.${kind}`) }));

  return (
    <Modal
      open={open}
      title={channel ? t('channels.editTitle') : t('channels.createTitle')}
      okText={channel ? t('common.save') : t('channels.create')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={pending}
      forceRender
      width={760}
      styles={{ body: { maxHeight: 'calc(100vh - 220px)', overflowY: 'auto', paddingRight: 4 } }}
    >
      <Form<Values> name="channel" form={form} layout="vertical" requiredMark="optional" onFinish={onFinish} disabled={pending}>
        <div className={styles.formGrid}>
          <Form.Item
            name="name"
            label={t('channels.fields.name')}
            rules={[{ required: true, whitespace: true, message: t('validation.required') }]}
            extra={t('channels.nameHint')}
          >
            <Input autoComplete="off" maxLength={100} />
          </Form.Item>
          <Form.Item name="locale" label={t('channels.fields.locale')}>
            <Select options={WIDGET_LOCALES.map((l) => ({ value: l, label: t(`language.${l}`) }))} />
          </Form.Item>
          <Form.Item
            name="colour"
            label={t('channels.fields.colour')}
            getValueFromEvent={(_, css: string) => css}
          >
            <ColorPicker format="hex" disabledAlpha showText />
          </Form.Item>
        </div>
        <Form.Item name="greeting" label={t('channels.fields.greeting')} extra={t('channels.greetingHint')}>
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 4 }} maxLength={500} showCount />
        </Form.Item>

        <Typography.Text strong>{t('channels.form.title')}</Typography.Text>
        <Typography.Paragraph type="secondary" className={styles.formHint}>
          {t('channels.form.description')}
        </Typography.Paragraph>
        <Form.List name="pre_chat_form">
          {(fields, { add, remove }, { errors }) => (
            <div className={styles.fieldList}>
              {fields.length > 0 && (
                <div className={`${styles.fieldRow} ${styles.fieldHead}`} aria-hidden>
                  <span>{t('channels.form.name')}</span>
                  <span>{t('channels.form.label')}</span>
                  <span>{t('channels.form.kind')}</span>
                  <span>{t('channels.form.required')}</span>
                  <span />
                </div>
              )}
              {fields.map((field, index) => (
                <div key={field.key} className={styles.fieldItem} data-testid="pre-chat-field">
                  <div className={styles.fieldRow}>
                    <Form.Item
                      name={[field.name, 'name']}
                      rules={[
                        { required: true, message: t('validation.required') },
                        { pattern: KEY_PATTERN, message: t('channels.form.namePattern') },
                      ]}
                    >
                      <Input placeholder="company" aria-label={t('channels.form.nameOf', { n: index + 1 })} autoComplete="off" />
                    </Form.Item>
                    <Form.Item
                      name={[field.name, 'label']}
                      rules={[{ required: true, whitespace: true, message: t('validation.required') }]}
                    >
                      <Input aria-label={t('channels.form.labelOf', { n: index + 1 })} maxLength={100} autoComplete="off" />
                    </Form.Item>
                    <Form.Item name={[field.name, 'kind']} initialValue="text">
                      <Select options={kindOptions} aria-label={t('channels.form.kindOf', { n: index + 1 })} />
                    </Form.Item>
                    <Form.Item name={[field.name, 'required']} valuePropName="checked" initialValue={false}>
                      <Checkbox aria-label={t('channels.form.requiredOf', { n: index + 1 })} />
                    </Form.Item>
                    <Button
                      type="text"
                      danger
                      icon={<DeleteOutlined />}
                      onClick={() => remove(field.name)}
                      aria-label={t('channels.form.removeOf', { n: index + 1 })}
                    />
                  </div>
                  <Form.Item noStyle dependencies={[['pre_chat_form', field.name, 'kind']]}>
                    {({ getFieldValue }) =>
                      getFieldValue(['pre_chat_form', field.name, 'kind']) === 'select' ? (
                        <Form.Item
                          name={[field.name, 'options']}
                          className={styles.optionsItem}
                          rules={[{ required: true, type: 'array', min: 1, message: t('channels.form.optionsRequired') }]}
                        >
                          <Select
                            mode="tags"
                            open={false}
                            tokenSeparators={[',', '，']}
                            placeholder={t('channels.form.optionsPlaceholder')}
                            aria-label={t('channels.form.optionsOf', { n: index + 1 })}
                          />
                        </Form.Item>
                      ) : null
                    }
                  </Form.Item>
                </div>
              ))}
              <Form.ErrorList errors={errors} />
              <Button
                type="dashed"
                icon={<PlusOutlined />}
                onClick={() => add({ kind: 'text', required: false })}
                disabled={fields.length >= MAX_FORM_FIELDS}
                block
              >
                {t('channels.form.add')}
              </Button>
            </div>
          )}
        </Form.List>
      </Form>
    </Modal>
  );
}
