import { useEffect, useState } from 'react';
import { Alert, App as AntApp, Button, Drawer, Flex, Form, Input, InputNumber, Switch, Typography, type FormInstance } from 'antd';
import { useTranslation } from 'react-i18next';
import { useCurrentSession } from '../auth/session';
import { ConditionEditor, type ConditionChange } from '../routing/ConditionEditor';
import { checkTree, dropErrorsOf, fromJson, newGroup, toJson, unclaimedErrors, type GroupNode, type PathErrors } from '../routing/conditions';
import { isApiError } from '../../api/errors';
import { describeError } from '../../api/errorText';
import type { AutomationRule } from '../todos/types';
import { fieldsFor } from './fields';
import { useSaveRule } from './queries';
import { newRuleValues, ruleBody, ruleFormPath, ruleValues, type RuleValues } from './ruleForm';
import { ActionsFields, TriggerFields } from './RuleParts';

type FieldPath = Array<string | number>;

/** Where a 422 detail goes: the condition tree, a form field, or the list of the rest. */
function placeErrors(details: Array<{ field: string; message: string }>) {
  const conditions: PathErrors = new Map();
  const form = new Map<string, { name: FieldPath; errors: string[] }>();
  const rest: Array<{ field: string; message: string }> = [];
  for (const d of details) {
    if (d.field === 'conditions' || d.field.startsWith('conditions.')) {
      conditions.set(d.field, [...(conditions.get(d.field) ?? []), d.message]);
      continue;
    }
    const name = ruleFormPath(d.field);
    if (!name) {
      rest.push(d);
      continue;
    }
    const key = JSON.stringify(name);
    const entry = form.get(key) ?? { name, errors: [] };
    entry.errors.push(d.message);
    form.set(key, entry);
  }
  return { conditions, form: [...form.values()], rest };
}

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
  const [tree, setTree] = useState<GroupNode>(() => newGroup());
  const [treeErrors, setTreeErrors] = useState<PathErrors>(new Map());
  const [otherErrors, setOtherErrors] = useState<Array<{ field: string; message: string }>>([]);
  const kind = (Form.useWatch(['trigger', 'kind'], form) as string | undefined) ?? 'event';
  const fields = fieldsFor(kind);

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue(rule ? ruleValues(rule, tz) : newRuleValues());
    setTree(rule ? fromJson(rule.conditions, fieldsFor(String((rule.trigger as { kind?: string }).kind ?? 'event'))) : newGroup());
    setTreeErrors(new Map());
    setOtherErrors([]);
  }, [open, rule, form, tz]);

  const onTreeChange = (next: GroupNode, change: ConditionChange) => {
    setTreeErrors((errors) => ('edited' in change ? dropErrorsOf(errors, tree, change.edited) : new Map()));
    setTree(next);
  };

  const onError = (error: unknown) => {
    if (!isApiError(error) || error.details.length === 0) {
      void message.error(describeError(t, error));
      return;
    }
    const placed = placeErrors(error.details);
    (form as FormInstance).setFields(placed.form);
    setTreeErrors(placed.conditions);
    const lost = unclaimedErrors(placed.conditions, tree).flatMap((field) =>
      (placed.conditions.get(field) ?? []).map((m) => ({ field, message: m })),
    );
    setOtherErrors([...placed.rest, ...lost]);
  };

  const onSave = async () => {
    setOtherErrors([]);
    const local = checkTree(t, tree);
    setTreeErrors(local);
    let values: RuleValues;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    if (local.size > 0) return;
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
