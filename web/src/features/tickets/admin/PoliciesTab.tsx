import { useEffect, useState } from 'react';
import { Alert, Button, Checkbox, Flex, Form, Input, InputNumber, Select, Switch, Tag, Typography, type TableProps } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { AdminList, FormModal, useSaveOutcome } from './AdminCrud';
import { RowActions } from './RowActions';
import { conditionCategories, formToSpec, policyFormPath, specToForm, type PolicyValues } from './policyForm';
import { useCalendars, useCategories, useDeletePolicy, usePolicies, useSavePolicy } from '../queries';
import { METRICS } from '../sla';
import { PRIORITIES } from '../TicketTags';
import { useTeams } from '../../teams/queries';
import { asObject, asString, toOpenObject } from '../../../api/open';
import type { SlaPolicy } from '../../../api/types';

const ACTIONS = ['notify_supervisor', 'raise_priority', 'reassign_team'] as const;

function PolicyModal({ policy, open, onClose }: { policy: SlaPolicy | null; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<PolicyValues>();
  const save = useSavePolicy();
  const calendars = useCalendars();
  const categories = useCategories();
  const teams = useTeams();
  const stored = asObject(policy?.spec).conditions;
  // Conditions this editor cannot show (written through the API) are kept as they are.
  const kept = policy && conditionCategories(stored) === null ? stored : null;

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue(specToForm(policy?.spec ?? { targets: { p1: { first_response_minutes: 30, resolution_minutes: 240 } } }, policy?.enabled ?? true));
  }, [open, policy, form]);

  const outcome = useSaveOutcome(form, policyFormPath, onClose);
  const onFinish = (values: PolicyValues) =>
    save.mutate({ id: policy?.id ?? null, body: { enabled: values.enabled, spec: toOpenObject(formToSpec(values, kept)) } }, outcome);

  return (
    <FormModal
      open={open}
      title={policy ? t('policies.edit', { name: asString(asObject(policy.spec).name) }) : t('policies.create')}
      form={form}
      pending={save.isPending}
      onClose={onClose}
      width={760}
    >
      <Form<PolicyValues> form={form} layout="vertical" onFinish={onFinish} disabled={save.isPending} requiredMark={false}>
        <Flex gap={12}>
          <Form.Item name="name" label={t('policies.name')} rules={[{ required: true, whitespace: true, message: t('validation.required') }]} style={{ flex: 1 }}>
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item name="enabled" label={t('policies.enabled')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Flex>
        <Form.Item name="calendar_id" label={t('policies.calendar')} extra={t('policies.calendarHint')}>
          <Select allowClear placeholder={t('policies.defaultCalendar')} options={(calendars.data ?? []).map((c) => ({ value: c.id, label: c.name }))} />
        </Form.Item>
        {kept ? (
          <Alert type="info" showIcon title={t('policies.keptConditions')} description={<code>{JSON.stringify(kept)}</code>} style={{ marginBottom: 16 }} />
        ) : (
          <Form.Item name="categories" label={t('policies.categories')} extra={t('policies.categoriesHint')}>
            <Select mode="multiple" allowClear options={(categories.data ?? []).map((c) => ({ value: c.key, label: c.name }))} />
          </Form.Item>
        )}
        <Typography.Text strong>{t('policies.targets')}</Typography.Text>
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          {t('policies.targetsHint')}
        </Typography.Paragraph>
        <table style={{ width: '100%', marginBottom: 16 }}>
          <thead>
            <tr>
              <th />
              {METRICS.map((m) => (
                <th key={m} style={{ textAlign: 'left', fontWeight: 500 }}>
                  {t(`tickets.sla.metrics.${m}`)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {PRIORITIES.map((p) => (
              <tr key={p}>
                <th scope="row" style={{ textAlign: 'left', fontWeight: 500, paddingRight: 8 }}>
                  {t(`tickets.priority.${p}`)}
                </th>
                {METRICS.map((m) => (
                  <td key={m} style={{ paddingRight: 8 }}>
                    <Form.Item name={['targets', p, `${m}_minutes`]} style={{ marginBottom: 8 }}>
                      <InputNumber<number>
                        min={1}
                        precision={0}
                        suffix={t('policies.minutes')}
                        aria-label={t('policies.targetOf', { priority: t(`tickets.priority.${p}`), metric: t(`tickets.sla.metrics.${m}`) })}
                        style={{ width: '100%' }}
                      />
                    </Form.Item>
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        <Flex gap={12} align="flex-start">
          <Form.Item name="warn_pct" label={t('policies.warnAt')} extra={t('policies.warnAtHint')} rules={[{ required: true, message: t('validation.required') }]}>
            <InputNumber<number> min={1} max={99} precision={0} suffix="%" />
          </Form.Item>
          <Form.Item name="dynamic_warning" valuePropName="checked" label=" " extra={t('policies.dynamicHint')}>
            <Checkbox>{t('policies.dynamic')}</Checkbox>
          </Form.Item>
        </Flex>
        <Typography.Text strong>{t('policies.escalations')}</Typography.Text>
        <Form.List name="escalations">
          {(items, { add, remove }) => (
            <>
              {items.map((item, index) => (
                <Flex key={item.key} gap={8} align="flex-start" role="group" aria-label={t('policies.escalationN', { n: index + 1 })}>
                  <Form.Item name={[item.name, 'on']} style={{ marginBottom: 8 }}>
                    <Select
                      aria-label={t('policies.on')}
                      style={{ width: 110 }}
                      options={(['warning', 'breach'] as const).map((s) => ({ value: s, label: t(`tickets.sla.stages.${s}`) }))}
                    />
                  </Form.Item>
                  <Form.Item name={[item.name, 'metric']} style={{ marginBottom: 8 }}>
                    <Select
                      allowClear
                      aria-label={t('policies.metric')}
                      placeholder={t('policies.anyMetric')}
                      style={{ width: 140 }}
                      options={METRICS.map((m) => ({ value: m, label: t(`tickets.sla.metrics.${m}`) }))}
                    />
                  </Form.Item>
                  <Form.Item name={[item.name, 'action']} style={{ marginBottom: 8 }} rules={[{ required: true, message: t('validation.required') }]}>
                    <Select
                      aria-label={t('policies.action')}
                      style={{ width: 150 }}
                      options={ACTIONS.map((a) => ({ value: a, label: t(`tickets.sla.actions.${a}`) }))}
                    />
                  </Form.Item>
                  <Form.Item noStyle dependencies={[['escalations', item.name, 'action']]}>
                    {({ getFieldValue }) =>
                      getFieldValue(['escalations', item.name, 'action']) === 'reassign_team' && (
                        <Form.Item name={[item.name, 'team_id']} style={{ marginBottom: 8 }} rules={[{ required: true, message: t('validation.required') }]}>
                          <Select aria-label={t('tickets.fields.team')} style={{ width: 140 }} options={(teams.data ?? []).map((x) => ({ value: x.id, label: x.name }))} />
                        </Form.Item>
                      )
                    }
                  </Form.Item>
                  <Button type="text" danger icon={<DeleteOutlined />} onClick={() => remove(item.name)} aria-label={t('policies.removeEscalation', { n: index + 1 })} />
                </Flex>
              ))}
              <Button type="dashed" size="small" icon={<PlusOutlined />} onClick={() => add({ on: 'breach', action: 'notify_supervisor' })}>
                {t('policies.addEscalation')}
              </Button>
            </>
          )}
        </Form.List>
      </Form>
    </FormModal>
  );
}

type Editing = { open: false } | { open: true; policy: SlaPolicy | null };

/** A policy's targets in one line: "P1 30/—/240 分钟". */
function targetsSummary(t: (key: string) => string, spec: unknown): string {
  const targets = asObject(asObject(spec).targets);
  return PRIORITIES.filter((p) => p in targets)
    .map((p) => {
      const set = asObject(targets[p]);
      return `${t(`tickets.priority.${p}`)} ${METRICS.map((m) => (typeof set[`${m}_minutes`] === 'number' ? set[`${m}_minutes`] : '—')).join('/')}`;
    })
    .join(' · ');
}

export function PoliciesTab() {
  const { t } = useTranslation();
  const policies = usePolicies();
  const calendars = useCalendars();
  const remove = useDeletePolicy();
  const [editing, setEditing] = useState<Editing>({ open: false });

  const columns: TableProps<SlaPolicy>['columns'] = [
    { title: t('policies.position'), dataIndex: 'position', width: 70 },
    { title: t('policies.name'), key: 'name', render: (_, p) => asString(asObject(p.spec).name) },
    { title: t('policies.enabled'), dataIndex: 'enabled', width: 80, render: (_, p) => (p.enabled ? <Tag color="green">{t('policies.on_')}</Tag> : <Tag>{t('policies.off')}</Tag>) },
    {
      title: t('policies.calendar'),
      key: 'calendar',
      render: (_, p) => {
        const id = asObject(p.spec).calendar_id;
        return typeof id === 'number' ? (calendars.data?.find((c) => c.id === id)?.name ?? `#${id}`) : t('policies.defaultCalendar');
      },
    },
    { title: t('policies.targetsColumn'), key: 'targets', render: (_, p) => <Typography.Text style={{ fontSize: 12 }}>{targetsSummary(t, p.spec)}</Typography.Text> },
    {
      title: t('common.actions'),
      key: 'actions',
      align: 'right',
      render: (_, p) => {
        const name = asString(asObject(p.spec).name);
        return (
          <RowActions
            name={name}
            onEdit={() => setEditing({ open: true, policy: p })}
            onDelete={() => remove.mutateAsync(p.id)}
          />
        );
      },
    },
  ];

  return (
    <>
      <AdminList<SlaPolicy>
        description={t('policies.description')}
        createLabel={t('policies.create')}
        onCreate={() => setEditing({ open: true, policy: null })}
        columns={columns}
        query={policies}
        emptyText={t('policies.empty')}
      />
      <PolicyModal open={editing.open} policy={editing.open ? editing.policy : null} onClose={() => setEditing({ open: false })} />
    </>
  );
}
