import { useEffect, useState } from 'react';
import { Alert, App as AntApp, Button, Card, Flex, Form, Input, Select, Skeleton, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { usePutWorkflow, useWorkflow } from '../queries';
import { STATE_KINDS, type Workflow } from '../workflow';
import { applyFieldErrorPaths } from '../../../api/fieldErrors';
import { describeError } from '../../../api/errorText';

type StateValues = { key: string; name: string; kind: string; targets: string[] };
type Values = { states: StateValues[] };

export function workflowToForm(w: Workflow): Values {
  return { states: w.states.map((s) => ({ ...s, targets: w.transitions[s.key] ?? [] })) };
}

export function formToWorkflow(v: Values): Workflow {
  const states = (v.states ?? []).map((s) => ({ key: s.key?.trim() ?? '', name: s.name ?? '', kind: s.kind }));
  const transitions: Record<string, string[]> = {};
  for (const s of v.states ?? []) if (s.key?.trim()) transitions[s.key.trim()] = s.targets ?? [];
  return { states, transitions };
}

/** `states[2].key` → that input; `transitions.open[1]` → the targets of the state keyed `open`. */
export function workflowFormPath(v: Values) {
  return (field: string): Array<string | number> | null => {
    const state = /^states\[(\d+)\]\.(key|name|kind)$/.exec(field);
    if (state) return ['states', Number(state[1]), state[2]];
    const move = /^transitions\.([a-z0-9_]+)/.exec(field);
    if (move) {
      const index = (v.states ?? []).findIndex((s) => s.key === move[1]);
      return index >= 0 ? ['states', index, 'targets'] : null;
    }
    return null;
  };
}

/** The ticket states (each with what it means to the system) and the moves allowed from each. */
export function WorkflowTab() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const workflow = useWorkflow();
  const put = usePutWorkflow();
  const [form] = Form.useForm<Values>();
  const [problem, setProblem] = useState<string | null>(null);
  const states = Form.useWatch('states', form) ?? [];

  useEffect(() => {
    if (workflow.data) form.setFieldsValue(workflowToForm(workflow.data));
  }, [workflow.data, form]);

  if (workflow.isPending) return <Skeleton active />;
  if (workflow.isError) return <Alert type="error" showIcon title={describeError(t, workflow.error)} />;

  const onFinish = (values: Values) => {
    setProblem(null);
    put.mutate(formToWorkflow(values), {
      onSuccess: () => void message.success(t('ticketSettings.saved')),
      onError: (error) => {
        if (!applyFieldErrorPaths(form, error, workflowFormPath(values))) setProblem(describeError(t, error));
      },
    });
  };

  return (
    <>
      <Typography.Paragraph type="secondary">{t('workflow.description')}</Typography.Paragraph>
      {problem && <Alert type="error" showIcon title={problem} closable onClose={() => setProblem(null)} style={{ marginBottom: 12 }} />}
      <Form<Values> form={form} layout="vertical" onFinish={onFinish} disabled={put.isPending}>
        <Form.List name="states">
          {(items, { add, remove }) => (
            <Flex vertical gap={8}>
              {items.map((item, index) => {
                const own = states[item.name]?.key;
                return (
                  <Card key={item.key} size="small" role="group" aria-label={t('workflow.stateN', { n: index + 1 })}>
                    <Flex gap={8} wrap align="flex-start">
                      <Form.Item name={[item.name, 'key']} label={t('workflow.key')} rules={[{ required: true, message: t('validation.required') }]}>
                        <Input maxLength={40} style={{ width: 170 }} />
                      </Form.Item>
                      <Form.Item name={[item.name, 'name']} label={t('workflow.name')} rules={[{ required: true, whitespace: true, message: t('validation.required') }]}>
                        <Input maxLength={40} style={{ width: 150 }} />
                      </Form.Item>
                      <Form.Item name={[item.name, 'kind']} label={t('workflow.kind')} rules={[{ required: true, message: t('validation.required') }]}>
                        <Select style={{ width: 150 }} options={STATE_KINDS.map((k) => ({ value: k, label: t(`workflow.kinds.${k}`) }))} />
                      </Form.Item>
                      <Form.Item name={[item.name, 'targets']} label={t('workflow.targets')} style={{ flex: 1, minWidth: 240 }}>
                        <Select
                          mode="multiple"
                          options={states.filter((s) => s?.key && s.key !== own).map((s) => ({ value: s.key, label: s.name || s.key }))}
                        />
                      </Form.Item>
                      <Button
                        type="text"
                        danger
                        icon={<DeleteOutlined />}
                        onClick={() => remove(item.name)}
                        aria-label={t('workflow.removeState', { n: index + 1 })}
                        style={{ marginTop: 30 }}
                      />
                    </Flex>
                  </Card>
                );
              })}
              <div>
                <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ key: '', name: '', kind: 'open', targets: [] })}>
                  {t('workflow.addState')}
                </Button>
              </div>
            </Flex>
          )}
        </Form.List>
        <div style={{ marginTop: 16 }}>
          <Button type="primary" htmlType="submit" loading={put.isPending}>
            {t('common.save')}
          </Button>
        </div>
      </Form>
    </>
  );
}
