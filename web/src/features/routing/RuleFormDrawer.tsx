import { useEffect } from 'react';
import { Alert, App as AntApp, Button, Drawer, Flex, Form, Input, Skeleton, Switch, Typography, type FormInstance } from 'antd';
import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import { ConditionEditor } from './ConditionEditor';
import { RouteFields } from './RouteFields';
import { fromJson, newGroup, toJson } from './conditions';
import { useConditionTree } from './useConditionTree';
import { describeError } from '../../api/errorText';
import { routeDto, routeFormPath, routeValues, type RouteValues } from './routeForm';
import { rulesKey, useCreateRule, useReplaceRule, useRoutingFields } from './queries';
import { toOpenObject } from '../../api/open';
import type { RoutingRule, SaveRule } from '../../api/types';
import styles from './Routing.module.css';

type Values = { name: string; enabled: boolean; route: RouteValues };

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
  const { tree, treeErrors, otherErrors, reset, onTreeChange, checkBeforeSave, onApiError } = useConditionTree();
  const ready = fields.isSuccess;

  useEffect(() => {
    if (!open || !ready) return;
    form.resetFields();
    form.setFieldsValue({
      name: rule?.name ?? '',
      enabled: rule?.enabled ?? true,
      route: routeValues(rule?.route),
    });
    reset(rule ? fromJson(rule.conditions, fields.data) : newGroup());
  }, [open, rule, ready, form, fields.data, reset]);

  const onError = (error: unknown) => onApiError(error, form as FormInstance, (field) => (field === 'name' || field === 'enabled' ? [field] : routeFormPath('route', field)));

  const onSave = async () => {
    const treeOk = checkBeforeSave();
    let values: Values;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    if (!treeOk) return;
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
