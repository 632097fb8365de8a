import { useEffect, useState } from 'react';
import { Alert, App as AntApp, Button, Drawer, Flex, Form, Input, Skeleton, Switch, Typography, type FormInstance } from 'antd';
import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import { ConditionEditor, type ConditionChange } from './ConditionEditor';
import { RouteFields } from './RouteFields';
import {
  checkTree,
  dropErrorsOf,
  fromJson,
  newGroup,
  toJson,
  unclaimedErrors,
  type GroupNode,
  type PathErrors,
} from './conditions';
import { routeDto, routeFormPath, routeValues, type RouteValues } from './routeForm';
import { rulesKey, useCreateRule, useReplaceRule, useRoutingFields } from './queries';
import { isApiError } from '../../api/errors';
import { describeError } from '../../api/errorText';
import { toOpenObject } from '../../api/open';
import type { RoutingRule, SaveRule } from '../../api/types';
import styles from './Routing.module.css';

type Values = { name: string; enabled: boolean; route: RouteValues };

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
    const name = d.field === 'name' || d.field === 'enabled' ? [d.field] : routeFormPath('route', d.field);
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
 * Create a routing rule (`rule` null), edit one, or (`readOnly`, supervisors) look at it: name,
 * enabled, the condition tree and where matching conversations go.
 */
export function RuleFormDrawer({
  open,
  rule,
  readOnly,
  onClose,
}: {
  open: boolean;
  rule: RoutingRule | null;
  readOnly: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<Values>();
  const fields = useRoutingFields();
  const create = useCreateRule();
  const replace = useReplaceRule();
  const pending = create.isPending || replace.isPending;
  const [tree, setTree] = useState<GroupNode>(() => newGroup());
  const [treeErrors, setTreeErrors] = useState<PathErrors>(new Map());
  const [otherErrors, setOtherErrors] = useState<Array<{ field: string; message: string }>>([]);
  const ready = fields.isSuccess;

  useEffect(() => {
    if (!open || !ready) return;
    form.resetFields();
    form.setFieldsValue({
      name: rule?.name ?? '',
      enabled: rule?.enabled ?? true,
      route: routeValues(rule?.route),
    });
    setTree(rule ? fromJson(rule.conditions, fields.data) : newGroup());
    setTreeErrors(new Map());
    setOtherErrors([]);
  }, [open, rule, ready, form, fields.data]);

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
    // Paths built from the API's field names; the untyped instance takes them.
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
    let values: Values;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    if (local.size > 0) return;
    const body: SaveRule = {
      name: values.name.trim(),
      enabled: values.enabled,
      conditions: toOpenObject(toJson(tree) as object),
      route: routeDto(values.route),
    };
    const done = (saved: RoutingRule, key: 'created' | 'updated') => {
      void message.success(t(`routing.rules.${key}`, { name: saved.name }));
      onClose();
    };
    if (!rule) {
      create.mutate(body, { onSuccess: (saved) => done(saved, 'created'), onError });
      return;
    }
    replace.mutate(
      { id: rule.id, body },
      {
        onSuccess: (saved) => {
          void queryClient.invalidateQueries({ queryKey: rulesKey });
          done(saved, 'updated');
        },
        onError,
      },
    );
  };

  const title = readOnly ? t('routing.rules.viewTitle') : rule ? t('routing.rules.editTitle') : t('routing.rules.createTitle');

  return (
    <Drawer
      open={open}
      onClose={onClose}
      title={title}
      size={760}
      forceRender
      extra={
        !readOnly && (
          <Flex gap={8}>
            <Button onClick={onClose}>{t('common.cancel')}</Button>
            <Button type="primary" loading={pending} disabled={!ready} onClick={() => void onSave()}>
              {rule ? t('common.save') : t('routing.rules.create')}
            </Button>
          </Flex>
        )
      }
    >
      {!ready ? (
        fields.isError ? (
          <Alert type="error" showIcon title={describeError(t, fields.error)} />
        ) : (
          <Skeleton active />
        )
      ) : (
        <Form<Values>
          name="routing-rule"
          form={form}
          layout="vertical"
          requiredMark="optional"
          disabled={pending || readOnly}
          onFinish={() => void onSave()}
        >
          {otherErrors.length > 0 && (
            <Alert
              type="error"
              showIcon
              className={styles.formAlert}
              title={t('routing.rules.otherErrors')}
              description={
                <ul className={styles.errorList}>
                  {otherErrors.map((e, i) => (
                    <li key={i}>
                      {e.field && <code>{e.field}</code>} {e.message}
                    </li>
                  ))}
                </ul>
              }
            />
          )}
          <div className={styles.nameRow}>
            <Form.Item
              name="name"
              label={t('routing.rules.name')}
              rules={[{ required: true, whitespace: true, message: t('validation.required') }]}
              className={styles.nameItem}
            >
              <Input autoComplete="off" maxLength={100} />
            </Form.Item>
            <Form.Item name="enabled" label={t('routing.rules.enabled')} valuePropName="checked">
              <Switch />
            </Form.Item>
          </div>

          <Typography.Title level={5} className={styles.formSection}>
            {t('routing.cond.title')}
          </Typography.Title>
          <Typography.Paragraph type="secondary" className={styles.formHint}>
            {t('routing.cond.hint')}
          </Typography.Paragraph>
          <ConditionEditor
            value={tree}
            onChange={onTreeChange}
            fields={fields.data}
            errors={treeErrors}
            disabled={pending || readOnly}
          />

          <Typography.Title level={5} className={styles.formSection}>
            {t('routing.route.title')}
          </Typography.Title>
          <RouteFields prefix="route" />
        </Form>
      )}
    </Drawer>
  );
}
