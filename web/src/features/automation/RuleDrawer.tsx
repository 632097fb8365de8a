import { useEffect } from 'react';
import { Alert, App as AntApp, Button, Drawer, Flex, Form, Input, InputNumber, Switch, Typography, type FormInstance } from 'antd';
import { useTranslation } from 'react-i18next';
import { useCurrentSession } from '../auth/session';
import { ConditionEditor } from '../routing/ConditionEditor';
import { fromJson, newGroup, toJson } from '../routing/conditions';
import { useConditionTree } from '../routing/useConditionTree';
import type { AutomationRule } from '../todos/types';
import { fieldsFor } from './fields';
import { useSaveRule } from './queries';
import { newRuleValues, ruleBody, ruleFormPath, ruleValues, type RuleValues } from './ruleForm';
import { ActionsFields, TriggerFields } from './RuleParts';

/**
 * Create an automation rule (`rule` null) or edit one: trigger (event with its wait, scan, or an
 * absolute time), conditions in the shared language, actions, priority, goal and frequency limit.
 * The API's 422 details land on the field their path names.
 */
export function RuleDrawer({ open, rule, onClose }: { open: boolean; rule: AutomationRule | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const { account } = useCurrentSession();
  const tz = account.timezone;
  const [form] = Form.useForm<RuleValues>();
  const save = useSaveRule();
  const { tree, treeErrors, otherErrors, reset, onTreeChange, checkBeforeSave, onApiError } = useConditionTree();
  const kind = (Form.useWatch(['trigger', 'kind'], form) as string | undefined) ?? 'event';
  const fields = fieldsFor(kind);

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue(rule ? ruleValues(rule, tz) : newRuleValues());
    reset(rule ? fromJson(rule.conditions, fieldsFor(String((rule.trigger as { kind?: string }).kind ?? 'event'))) : newGroup());
  }, [open, rule, form, tz, reset]);

  const onError = (error: unknown) => onApiError(error, form as FormInstance, ruleFormPath);

  const onSave = async () => {
    const treeOk = checkBeforeSave();
    let values: RuleValues;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    if (!treeOk) return;
    // validateFields returns only mounted fields; the full store keeps hidden trigger parts.
    const all = { ...form.getFieldsValue(true), ...values } as RuleValues;
    const body = { ...ruleBody(all, tz), conditions: toJson(tree) as Record<string, unknown> };
    save.mutate(
      { id: rule?.id ?? null, body },
      {
        onSuccess: (saved) => {
          void message.success(t(rule ? 'automation.rules.updated' : 'automation.rules.created', { name: saved.name }));
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
      title={rule ? t('automation.rules.editTitle') : t('automation.rules.createTitle')}
      size={820}
      extra={
        <Flex gap={8}>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" loading={save.isPending} onClick={() => void onSave()}>
            {rule ? t('common.save') : t('automation.rules.create')}
          </Button>
        </Flex>
      }
    >
      <Form<RuleValues> name="automation-rule" form={form} layout="vertical" requiredMark="optional" disabled={save.isPending}>
        {otherErrors.length > 0 && (
          <Alert
            type="error"
            showIcon
            style={{ marginBottom: 16 }}
            title={t('automation.rules.otherErrors')}
            description={
              <ul style={{ margin: 0, paddingLeft: 18 }}>
                {otherErrors.map((e, i) => (
                  <li key={i}>
                    {e.field && <code>{e.field}</code>} {e.message}
                  </li>
                ))}
              </ul>
            }
          />
        )}
        <Flex gap={12} wrap>
          <Form.Item
            name="name"
            label={t('automation.rules.name')}
            rules={[{ required: true, whitespace: true, message: t('validation.required') }]}
            style={{ flex: 1, minWidth: 240 }}
          >
            <Input maxLength={100} autoComplete="off" />
          </Form.Item>
          <Form.Item name="priority" label={t('automation.rules.priority')} extra={t('automation.rules.priorityHint')}>
            <InputNumber />
          </Form.Item>
          <Form.Item name="limit_days" label={t('automation.rules.limitDays')} extra={t('automation.rules.limitDaysHint')}>
            <InputNumber min={1} max={365} />
          </Form.Item>
          <Form.Item name="active" label={t('automation.rules.active')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Flex>
        <Form.Item name="goal" label={t('automation.rules.goal')} extra={t('automation.rules.goalHint')}>
          <Input.TextArea autoSize={{ minRows: 1, maxRows: 3 }} maxLength={500} />
        </Form.Item>

        <Typography.Title level={5}>{t('automation.trigger.title')}</Typography.Title>
        <TriggerFields form={form} timeZone={tz} />

        <Typography.Title level={5}>{t('automation.rules.conditions')}</Typography.Title>
        <Typography.Paragraph type="secondary">
          {kind === 'event' ? t('automation.rules.conditionsHint') : t('automation.rules.conditionsContactHint')}
        </Typography.Paragraph>
        <ConditionEditor value={tree} onChange={onTreeChange} fields={fields} errors={treeErrors} disabled={save.isPending} />

        <Typography.Title level={5} style={{ marginTop: 16 }}>
          {t('automation.rules.actions')}
        </Typography.Title>
        <ActionsFields />
      </Form>
    </Drawer>
  );
}
