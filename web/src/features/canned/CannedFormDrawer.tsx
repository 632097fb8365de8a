import { useEffect, useRef } from 'react';
import { App as AntApp, Button, Drawer, Flex, Form, Input, Tag, Tooltip, Typography } from 'antd';
import type { TextAreaRef } from 'antd/es/input/TextArea';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/errors';
import { applyFieldErrorPaths } from '../../api/fieldErrors';
import { describeError } from '../../api/errorText';
import type { CannedResponse } from '../../api/types';
import { useCreateCanned, useUpdateCanned, type UpdateCanned } from './queries';
import {
  CANNED_VARIABLES,
  CONTENT_MAX,
  SHORT_CODE_MAX,
  SHORT_CODE_PATTERN,
  charCount,
  normalizeShortCode,
  templateParts,
  templateProblem,
  variableLabelKey,
  type CannedVariable,
} from './template';
import styles from './Canned.module.css';

type Values = { short_code: string; content: string };

/** The API's field (`short_code`, or the store's `canned_responses.short_code` on a conflict) → the form's. */
function formField(field: string): ['short_code'] | ['content'] | null {
  if (field === 'short_code' || field.endsWith('.short_code')) return ['short_code'];
  if (field === 'content' || field.endsWith('.content')) return ['content'];
  return null;
}

/** Create (`canned` null) or edit a canned response, with its variables one click away. */
export function CannedFormDrawer({
  open,
  canned,
  onClose,
}: {
  open: boolean;
  canned: CannedResponse | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<Values>();
  const create = useCreateCanned();
  const update = useUpdateCanned();
  const pending = create.isPending || update.isPending;
  const content: string = Form.useWatch('content', form) ?? '';
  const contentRef = useRef<TextAreaRef>(null);

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue(canned ? { short_code: canned.short_code, content: canned.content } : { short_code: '', content: '' });
  }, [open, canned, form]);

  /** Puts `{{ name }}` at the content's cursor (or in place of the selection). */
  const insert = (name: CannedVariable) => {
    const snippet = `{{ ${name} }}`;
    const el = contentRef.current?.resizableTextArea?.textArea;
    const current: string = form.getFieldValue('content') ?? '';
    const at = el ? el.selectionStart : current.length;
    const end = el ? el.selectionEnd : current.length;
    form.setFieldValue('content', current.slice(0, at) + snippet + current.slice(end));
    // Clears a hint (empty, unknown variable) the insertion may have fixed.
    if (form.getFieldError('content').length > 0) void form.validateFields(['content']).catch(() => undefined);
    if (el) {
      el.focus();
      const caret = at + snippet.length;
      requestAnimationFrame(() => el.setSelectionRange(caret, caret));
    }
  };

  const onError = (error: unknown) => {
    if (isApiError(error) && error.code === 'conflict') {
      form.setFields([{ name: 'short_code', errors: [t('canned.codeTaken')] }]);
      return;
    }
    if (!applyFieldErrorPaths(form, error, formField)) void message.error(describeError(t, error));
  };

  const onFinish = (values: Values) => {
    const short_code = normalizeShortCode(values.short_code);
    const text = values.content;
    if (!canned) {
      create.mutate(
        { short_code, content: text },
        {
          onSuccess: (created) => {
            void message.success(t('canned.created', { code: created.short_code }));
            onClose();
          },
          onError,
        },
      );
      return;
    }
    const body: UpdateCanned = {};
    if (short_code !== canned.short_code) body.short_code = short_code;
    if (text !== canned.content) body.content = text;
    if (Object.keys(body).length === 0) {
      onClose();
      return;
    }
    update.mutate(
      { id: canned.id, body },
      {
        onSuccess: (updated) => {
          void message.success(t('canned.updated', { code: updated.short_code }));
          onClose();
        },
        onError,
      },
    );
  };

  return (
    <Drawer
      open={open}
      onClose={onClose}
      title={canned ? t('canned.editTitle') : t('canned.createTitle')}
      size={560}
      forceRender
      extra={
        <Flex gap={8}>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" loading={pending} onClick={() => form.submit()}>
            {canned ? t('common.save') : t('canned.create')}
          </Button>
        </Flex>
      }
    >
      <Form<Values> name="canned" form={form} layout="vertical" requiredMark="optional" onFinish={onFinish} disabled={pending}>
        <Form.Item
          name="short_code"
          label={t('canned.fields.shortCode')}
          extra={t('canned.shortCodeHelp')}
          normalize={(value: string) => normalizeShortCode(value)}
          rules={[
            { required: true, message: t('canned.shortCodeRequired') },
            { pattern: SHORT_CODE_PATTERN, message: t('canned.shortCodeInvalid') },
          ]}
        >
          <Input prefix="/" autoComplete="off" spellCheck={false} maxLength={SHORT_CODE_MAX} className={styles.code} />
        </Form.Item>
        <Form.Item
          name="content"
          label={t('canned.fields.content')}
          validateTrigger={['onChange', 'onBlur']}
          rules={[
            { required: true, whitespace: true, message: t('canned.contentRequired') },
            {
              validator: (_, value: string | undefined) =>
                charCount(value ?? '') > CONTENT_MAX
                  ? Promise.reject(new Error(t('canned.contentTooLong', { max: CONTENT_MAX })))
                  : Promise.resolve(),
            },
            {
              // Only once the field is left: a half-typed "{{" is not a mistake yet.
              validateTrigger: 'onBlur',
              validator: (_, value: string | undefined) => {
                const problem = templateProblem(value ?? '');
                if (!problem) return Promise.resolve();
                return Promise.reject(
                  new Error(
                    problem.kind === 'unclosed'
                      ? t('canned.unclosed', { open: '{{', close: '}}' })
                      : t('canned.unknownVariable', { name: `{{ ${problem.name} }}` }),
                  ),
                );
              },
            },
          ]}
        >
          <Input.TextArea
            ref={contentRef}
            autoSize={{ minRows: 5, maxRows: 14 }}
            count={{ show: true, max: CONTENT_MAX, strategy: charCount }}
          />
        </Form.Item>
      </Form>
      <Typography.Text type="secondary">{t('canned.variables')}</Typography.Text>
      <Flex wrap gap={6} className={styles.variables} role="group" aria-label={t('canned.variables')}>
        {CANNED_VARIABLES.map((name) => (
          <Tooltip key={name} title={`{{ ${name} }}`}>
            <Button size="small" disabled={pending} onClick={() => insert(name)}>
              {t(variableLabelKey(name))}
            </Button>
          </Tooltip>
        ))}
      </Flex>
      <Typography.Text type="secondary">{t('canned.preview')}</Typography.Text>
      <div className={styles.preview} data-testid="canned-preview">
        {content.trim() === '' ? (
          <Typography.Text type="secondary">{t('canned.previewEmpty')}</Typography.Text>
        ) : (
          templateParts(content).map((part, index) =>
            'variable' in part ? (
              <Tag key={index} color="blue" className={styles.variableTag}>
                {t(variableLabelKey(part.variable))}
              </Tag>
            ) : (
              <span key={index}>{part.text}</span>
            ),
          )
        )}
      </div>
      <Typography.Text type="secondary" className={styles.previewHelp}>
        {t('canned.previewHelp')}
      </Typography.Text>
    </Drawer>
  );
}
