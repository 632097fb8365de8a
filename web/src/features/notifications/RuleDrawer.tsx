import { useEffect, useMemo } from 'react';
import { Alert, App as AntApp, Button, Checkbox, Drawer, Flex, Form, Input, InputNumber, Select, Skeleton, Switch, type FormInstance } from 'antd';
import { useTranslation } from 'react-i18next';
import { ConditionEditor } from '../routing/ConditionEditor';
import { fromJson, newGroup, toJson } from '../routing/conditions';
import { useConditionTree } from '../routing/useConditionTree';
import { describeError } from '../../api/errorText';
import { useRoutingFields } from '../routing/queries';
import { MediaOrder } from './MediaOrder';
import {
  NOTICE_KINDS,
  RECIPIENTS,
  SLA_METRICS,
  STATE_KINDS,
  TRIGGERS,
  ticketConditionFields,
  type NotifyRule,
  type RuleSpec,
} from './model';
import { useNotifyChannels, useNotifyTemplates, useSaveNotifyRule } from './queries';
import styles from './Notifications.module.css';

type Values = Omit<RuleSpec, 'conditions'> & { position: number; active: boolean };

const FORM_FIELDS = ['name', 'trigger', 'to_kinds', 'metrics', 'notice_kind', 'recipients', 'group_channels', 'template', 'media', 'important', 'attach_files', 'position', 'active'];

/** An API field of a rule (`spec.`-prefixed or not, `recipients[1]`) → the form field; conditions go to the tree. */
export function ruleFormPath(field: string): string | null {
  const bare = field.replace(/^spec\./, '').replace(/\[\d+\].*$/, '');
  return FORM_FIELDS.includes(bare) ? bare : null;
}

/** The ticket condition catalogue with translated names (see `ticketConditionFields`). */
export function useTicketFields() {
  const { t } = useTranslation();
  const routing = useRoutingFields();
  return useMemo(
    () => ticketConditionFields(routing.data ?? [], (name) => t(`notifications.fields.${name.replace(/\.\*$/, '.any').replace(/\./g, '_')}`)),
    [routing.data, t],
  );
}

/** Create (`rule` null) or change a notification rule: when, for which tickets, to whom, with what, on what. */
export function RuleDrawer({ open, rule, onClose }: { open: boolean; rule: NotifyRule | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<Values>();
  const routing = useRoutingFields();
  const channels = useNotifyChannels();
  const templates = useNotifyTemplates();
  const save = useSaveNotifyRule();
  const { tree, treeErrors, otherErrors, reset, onTreeChange, checkBeforeSave, onApiError } = useConditionTree();
  const trigger = Form.useWatch('trigger', form);
  const important = Form.useWatch('important', form) ?? false;

  const fields = useTicketFields();
  const ready = routing.isSuccess;

  useEffect(() => {
    if (!open || !ready) return;
    form.resetFields();
    form.setFieldsValue(
      rule
        ? { ...rule }
        : {
            name: '',
            trigger: 'ticket_status_changed',
            to_kinds: [],
            metrics: [],
            notice_kind: 'status',
            recipients: ['customer'],
            group_channels: [],
            template: 'status_changed',
            media: ['in_app', 'email'],
            important: false,
            attach_files: false,
            position: 0,
            active: true,
          },
    );
    reset(rule ? fromJson(rule.conditions, fields) : newGroup());
    // `fields` follows `routing.data`; reading it when the drawer opens is enough.
  }, [open, rule, ready, form]);

  const onError = (error: unknown) => onApiError(error, form as FormInstance, (field) => {
    const name = ruleFormPath(field);
    return name ? [name] : null;
  });

  const onSave = async () => {
    const treeOk = checkBeforeSave();
    let values: Values;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    if (!treeOk) return;
    const { position, active, ...spec } = values;
    const body = {
      spec: {
        ...spec,
        name: spec.name.trim(),
        to_kinds: spec.trigger === 'ticket_status_changed' ? (spec.to_kinds ?? []) : [],
        metrics: spec.trigger.startsWith('ticket_sla_') ? (spec.metrics ?? []) : [],
        group_channels: spec.group_channels ?? [],
        attach_files: spec.attach_files === true,
        conditions: toJson(tree),
      },
      position: position ?? 0,
      active,
    };
    save.mutate(
      { id: rule?.id ?? null, body },
      {
        onSuccess: () => {
          void message.success(t('notifications.saved'));
          onClose();
        },
        onError,
      },
    );
  };

  const robots = (channels.data ?? []).filter((c) => c.medium === 'im');
  const templateKeys = [...new Set((templates.data?.items ?? []).map((tpl) => tpl.key))];

  return (
    <Drawer
      open={open}
      onClose={onClose}
      title={rule ? t('notifications.rules.edit') : t('notifications.rules.create')}
      size={760}
      rootClassName={styles.drawer}
      forceRender
      extra={
        <Flex gap={8}>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" loading={save.isPending} disabled={!ready} onClick={() => void onSave()}>
            {t('common.save')}
          </Button>
        </Flex>
      }
    >
      {!ready ? (
        routing.isError ? <Alert type="error" showIcon title={describeError(t, routing.error)} /> : <Skeleton active />
      ) : (
        <Form<Values> name="notify-rule" form={form} layout="vertical" disabled={save.isPending}>
          {otherErrors.length > 0 && (
            <Alert
              type="error"
              showIcon
              style={{ marginBottom: 16 }}
              title={t('notifications.rules.otherErrors')}
              description={
                <ul>
                  {otherErrors.map((e, i) => (
                    <li key={i}>
                      {e.field && <code>{e.field}</code>} {e.message}
                    </li>
                  ))}
                </ul>
              }
            />
          )}
          <Form.Item name="name" label={t('notifications.rules.name')} rules={[{ required: true, whitespace: true, message: t('notifications.rules.nameRequired') }]}>
            <Input maxLength={100} />
          </Form.Item>
          <Flex gap={16} wrap>
            <Form.Item name="trigger" label={t('notifications.rules.trigger')} style={{ minWidth: 240 }}>
              <Select options={TRIGGERS.map((v) => ({ value: v, label: t(`notifications.triggers.${v}`) }))} />
            </Form.Item>
            <Form.Item name="notice_kind" label={t('notifications.rules.notice_kind')} extra={t('notifications.rules.notice_kindHelp')} style={{ minWidth: 200 }}>
              <Select options={NOTICE_KINDS.map((v) => ({ value: v, label: t(`notifications.noticeKinds.${v}`) }))} />
            </Form.Item>
          </Flex>
          {trigger === 'ticket_status_changed' && (
            <Form.Item name="to_kinds" label={t('notifications.rules.to_kinds')} extra={t('notifications.rules.to_kindsHelp')}>
              <Checkbox.Group options={STATE_KINDS.map((v) => ({ value: v, label: t(`notifications.stateKinds.${v}`) }))} />
            </Form.Item>
          )}
          {typeof trigger === 'string' && trigger.startsWith('ticket_sla_') && (
            <Form.Item name="metrics" label={t('notifications.rules.metrics')} extra={t('notifications.rules.metricsHelp')}>
              <Checkbox.Group options={SLA_METRICS.map((v) => ({ value: v, label: t(`notifications.metrics.${v}`) }))} />
            </Form.Item>
          )}
          <Form.Item label={t('notifications.rules.conditions')} extra={t('notifications.rules.conditionsHelp')}>
            <ConditionEditor value={tree} onChange={onTreeChange} fields={fields} errors={treeErrors} disabled={save.isPending} />
          </Form.Item>
          <Form.Item name="recipients" label={t('notifications.rules.recipients')}>
            <Checkbox.Group options={RECIPIENTS.map((v) => ({ value: v, label: t(`notifications.recipients.${v}`) }))} />
          </Form.Item>
          <Form.Item name="group_channels" label={t('notifications.rules.group_channels')} extra={t('notifications.rules.group_channelsHelp')}>
            <Select mode="multiple" allowClear options={robots.map((c) => ({ value: c.id, label: c.name }))} />
          </Form.Item>
          <Form.Item name="template" label={t('notifications.rules.template')} extra={t('notifications.rules.templateHelp')} rules={[{ required: true, message: t('notifications.rules.templateRequired') }]}>
            <Select showSearch mode={undefined} options={templateKeys.map((k) => ({ value: k, label: k }))} />
          </Form.Item>
          <Form.Item name="media" label={t('notifications.rules.media')} extra={t('notifications.rules.mediaHelp')}>
            <MediaOrder important={important} />
          </Form.Item>
          <Form.Item name="important" label={t('notifications.rules.important')} valuePropName="checked" extra={t('notifications.rules.importantHelp')}>
            <Switch />
          </Form.Item>
          <Form.Item name="attach_files" label={t('notifications.rules.attach_files')} valuePropName="checked" extra={t('notifications.rules.attach_filesHelp')}>
            <Switch />
          </Form.Item>
          <Flex gap={16}>
            <Form.Item name="active" label={t('notifications.rules.active')} valuePropName="checked">
              <Switch />
            </Form.Item>
            <Form.Item name="position" label={t('notifications.rules.position')}>
              <InputNumber precision={0} />
            </Form.Item>
          </Flex>
        </Form>
      )}
    </Drawer>
  );
}
