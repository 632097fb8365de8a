import { useEffect, useRef } from 'react';
import { App as AntApp, Button, Drawer, Flex, Form, Input, InputNumber, Select, Tag, Tooltip, Typography } from 'antd';
import type { TextAreaRef } from 'antd/es/input/TextArea';
import { useTranslation } from 'react-i18next';
import { applyFieldErrorPaths } from '../../api/fieldErrors';
import { describeError } from '../../api/errorText';
import type { NotificationTemplate } from '../../api/types';
import { useCategories } from '../tickets/queries';
import { AUDIENCES, TEMPLATE_MEDIA, type TemplateInput } from './model';
import { useSaveNotifyTemplate } from './queries';
import { TemplatePreview } from './TemplatePreview';
import styles from './Notifications.module.css';

type Values = TemplateInput & { sample_ticket: number | null };

const FIELDS = ['key', 'locale', 'audience', 'category_id', 'medium', 'subject', 'body'];

/** Locales templates are written in (the server's `Locale`). */
const LOCALES = ['zh-CN', 'en'] as const;

/**
 * Create (`template` null) or change a template variant, with a live preview beside the editor
 * and the template's variables one click away.
 */
export function TemplateDrawer({
  open,
  template,
  variables,
  onClose,
}: {
  open: boolean;
  template: NotificationTemplate | null;
  variables: Record<string, string>;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<Values>();
  const save = useSaveNotifyTemplate();
  const categories = useCategories();
  const body = Form.useWatch('body', form) ?? '';
  const subject = Form.useWatch('subject', form) ?? '';
  const sample = Form.useWatch('sample_ticket', form) ?? null;
  const bodyRef = useRef<TextAreaRef>(null);

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue(
      template
        ? { ...template, sample_ticket: null }
        : { key: '', locale: 'zh-CN', audience: 'any', category_id: 0, medium: 'any', subject: '', body: '', sample_ticket: null },
    );
  }, [open, template, form]);

  /** Puts `{{ name }}` at the body's cursor. */
  const insert = (name: string) => {
    const snippet = `{{ ${name.replace(/\.\*$/, '.key')} }}`;
    const el = bodyRef.current?.resizableTextArea?.textArea;
    const current: string = form.getFieldValue('body') ?? '';
    const at = el ? el.selectionStart : current.length;
    const end = el ? el.selectionEnd : current.length;
    form.setFieldValue('body', current.slice(0, at) + snippet + current.slice(end));
    el?.focus();
  };

  const onSave = (values: Values) => {
    // The sample ticket is only for the preview.
    const input: TemplateInput = {
      key: values.key,
      locale: values.locale,
      audience: values.audience,
      category_id: values.category_id,
      medium: values.medium,
      subject: values.subject ?? '',
      body: values.body,
    };
    save.mutate(
      input,
      {
        onSuccess: () => {
          void message.success(t('notifications.saved'));
          onClose();
        },
        onError: (error) => {
          if (!applyFieldErrorPaths(form, error, (f) => (FIELDS.includes(f) ? [f] : null))) void message.error(describeError(t, error));
        },
      },
    );
  };

  return (
    <Drawer
      open={open}
      onClose={onClose}
      title={template ? t('notifications.templates.edit') : t('notifications.templates.create')}
      size={1040}
      rootClassName={styles.drawer}
      forceRender
      extra={
        <Flex gap={8}>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" loading={save.isPending} onClick={() => form.submit()}>
            {t('common.save')}
          </Button>
        </Flex>
      }
    >
      <Form<Values> form={form} layout="vertical" onFinish={onSave} disabled={save.isPending} name="notify-template">
        <div className={styles.templateLayout}>
          <div>
            <Flex gap={12} wrap>
              <Form.Item name="key" label={t('notifications.templates.key')} rules={[{ required: true, message: t('notifications.templates.keyRequired') }]} extra={t('notifications.templates.keyHelp')}>
                <Input disabled={template !== null} className={styles.code} style={{ width: 220 }} />
              </Form.Item>
              <Form.Item name="locale" label={t('notifications.templates.locale')}>
                <Select style={{ width: 120 }} disabled={template !== null} options={LOCALES.map((l) => ({ value: l, label: t(`language.${l}`) }))} />
              </Form.Item>
            </Flex>
            <Flex gap={12} wrap>
              <Form.Item name="audience" label={t('notifications.templates.audience')}>
                <Select style={{ width: 150 }} disabled={template !== null} options={AUDIENCES.map((a) => ({ value: a, label: t(`notifications.audiences.${a}`) }))} />
              </Form.Item>
              <Form.Item name="category_id" label={t('notifications.templates.category')}>
                <Select
                  style={{ width: 170 }}
                  disabled={template !== null}
                  options={[{ value: 0, label: t('notifications.templates.anyCategory') }, ...(categories.data ?? []).map((c) => ({ value: c.id, label: c.name }))]}
                />
              </Form.Item>
              <Form.Item name="medium" label={t('notifications.templates.medium')}>
                <Select style={{ width: 150 }} disabled={template !== null} options={TEMPLATE_MEDIA.map((m) => ({ value: m, label: t(`notifications.media.${m}`) }))} />
              </Form.Item>
            </Flex>
            <Form.Item name="subject" label={t('notifications.templates.subject')} extra={t('notifications.templates.subjectHelp')}>
              <Input maxLength={200} className={styles.code} />
            </Form.Item>
            <Form.Item name="body" label={t('notifications.templates.body')} rules={[{ required: true, whitespace: true, message: t('notifications.templates.bodyRequired') }]}>
              <Input.TextArea ref={bodyRef} rows={10} className={styles.code} spellCheck={false} />
            </Form.Item>
            <Typography.Text type="secondary">{t('notifications.templates.variables')}</Typography.Text>
            <Flex wrap gap={4} className={styles.variables}>
              {Object.entries(variables).map(([name, help]) => (
                <Tooltip key={name} title={help}>
                  <Tag className={styles.code} style={{ cursor: 'pointer' }} onClick={() => insert(name)}>
                    {name}
                  </Tag>
                </Tooltip>
              ))}
            </Flex>
          </div>
          <div>
            <Form.Item name="sample_ticket" label={t('notifications.templates.sampleTicket')} extra={t('notifications.templates.sampleTicketHelp')}>
              <InputNumber min={1} precision={0} style={{ width: 200 }} />
            </Form.Item>
            <TemplatePreview subject={subject} body={body} ticketId={sample} />
          </div>
        </div>
      </Form>
    </Drawer>
  );
}
