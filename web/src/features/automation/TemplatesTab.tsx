import { useEffect, useState } from 'react';
import { Alert, App as AntApp, Button, Flex, Form, Input, Modal, Popconfirm, Select, Skeleton, Space, Table, Tag, Typography } from 'antd';
import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { applyFieldErrors } from '../../api/fieldErrors';
import { describeError } from '../../api/errorText';
import { useDeleteTemplate, useSaveTemplate, useTemplates } from '../todos/queries';
import { TODO_COLOURS } from '../todos/TodoFormDrawer';
import { PRIORITY_COLOR } from '../todos/present';
import { TODO_PRIORITIES, type TodoTemplate } from '../todos/types';
import { TODO_VARIABLES, durationText } from './ruleForm';

type Values = { key: string; name: string; title: string; note: string; priority: string; colour?: string; due_in?: string; remind_before?: string };
const FIELDS = ['key', 'name', 'title', 'note', 'priority', 'colour', 'due_in', 'remind_before'] as const;

const duration = (text?: string) => {
  const v = (text ?? '').trim();
  if (!v) return null;
  return (/^\d+$/.test(v) ? Number(v) : v) as unknown as Record<string, never>;
};

function TemplateModal({ template, open, onClose }: { template: TodoTemplate | null; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<Values>();
  const save = useSaveTemplate();
  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue({
      key: template?.key ?? '',
      name: template?.name ?? '',
      title: template?.title ?? '',
      note: template?.note ?? '',
      priority: template?.priority ?? 'normal',
      colour: template?.colour ?? undefined,
      due_in: durationText(template?.due_in),
      remind_before: durationText(template?.remind_before),
    });
  }, [open, template, form]);

  const onOk = async () => {
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    save.mutate(
      {
        id: template?.id ?? null,
        body: {
          key: v.key.trim(),
          name: v.name.trim(),
          title: v.title,
          note: v.note,
          priority: v.priority,
          colour: v.colour ?? null,
          due_in: duration(v.due_in),
          remind_before: duration(v.remind_before),
        },
      },
      {
        onSuccess: (saved) => {
          void message.success(t('automation.templates.saved', { name: saved.name }));
          onClose();
        },
        onError: (error) => {
          if (!applyFieldErrors(form, error, FIELDS)) void message.error(describeError(t, error));
        },
      },
    );
  };

  const required = [{ required: true, whitespace: true, message: t('validation.required') }];
  return (
    <Modal
      open={open}
      onCancel={onClose}
      onOk={() => void onOk()}
      confirmLoading={save.isPending}
      title={template ? t('automation.templates.editTitle') : t('automation.templates.createTitle')}
    >
      <Form<Values> form={form} layout="vertical" name="todo-template">
        <Flex gap={8}>
          <Form.Item name="key" label={t('automation.templates.key')} rules={required} style={{ flex: 1 }}>
            <Input maxLength={64} />
          </Form.Item>
          <Form.Item name="name" label={t('automation.templates.name')} rules={required} style={{ flex: 1 }}>
            <Input maxLength={100} />
          </Form.Item>
        </Flex>
        <Form.Item name="title" label={t('automation.todo.title')} rules={required} extra={t('automation.todo.variables', { vars: TODO_VARIABLES })}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="note" label={t('todos.form.note')}>
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 5 }} />
        </Form.Item>
        <Flex gap={8} wrap>
          <Form.Item name="priority" label={t('todos.form.priority')} style={{ minWidth: 120 }}>
            <Select options={TODO_PRIORITIES.map((p) => ({ value: p, label: t(`todos.priority.${p}`) }))} />
          </Form.Item>
          <Form.Item name="colour" label={t('todos.form.colour')} style={{ minWidth: 120 }}>
            <Select allowClear options={TODO_COLOURS.map((c) => ({ value: c, label: <span style={{ color: c }}>■ {c}</span> }))} />
          </Form.Item>
          <Form.Item name="due_in" label={t('automation.todo.dueIn')} style={{ width: 110 }}>
            <Input placeholder="24h" />
          </Form.Item>
          <Form.Item name="remind_before" label={t('automation.todo.remindBefore')} style={{ width: 110 }}>
            <Input placeholder="1h" />
          </Form.Item>
        </Flex>
      </Form>
    </Modal>
  );
}

/** To-do templates (回访, 补发资料…) agents create to-dos from. */
export function TemplatesTab() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const templates = useTemplates();
  const remove = useDeleteTemplate();
  const [editing, setEditing] = useState<TodoTemplate | null>(null);
  const [open, setOpen] = useState(false);
  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Flex justify="space-between" align="center">
        <Typography.Text type="secondary">{t('automation.templates.intro')}</Typography.Text>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => { setEditing(null); setOpen(true); }}>
          {t('automation.templates.new')}
        </Button>
      </Flex>
      {templates.isPending ? (
        <Skeleton active />
      ) : templates.isError ? (
        <Alert type="error" showIcon title={describeError(t, templates.error)} />
      ) : (
        <Table<TodoTemplate>
          rowKey="id"
          pagination={false}
          dataSource={templates.data}
          columns={[
            { title: t('automation.templates.name'), dataIndex: 'name' },
            { title: t('automation.templates.key'), dataIndex: 'key', render: (v: string) => <code>{v}</code> },
            { title: t('automation.todo.title'), dataIndex: 'title' },
            { title: t('todos.form.priority'), dataIndex: 'priority', render: (v: string) => <Tag color={PRIORITY_COLOR[v]}>{t(`todos.priority.${v}`, v)}</Tag> },
            { title: t('automation.todo.dueIn'), dataIndex: 'due_in', render: (v: number | null) => durationText(v) },
            {
              key: 'ops',
              render: (_: unknown, r) => (
                <Space size={4}>
                  <Button size="small" icon={<EditOutlined />} aria-label={t('automation.templates.editOf', { name: r.name })} onClick={() => { setEditing(r); setOpen(true); }} />
                  <Popconfirm
                    title={t('automation.templates.deleteConfirm', { name: r.name })}
                    onConfirm={() => remove.mutate(r.id, { onError: (error) => void message.error(describeError(t, error)) })}
                  >
                    <Button size="small" danger icon={<DeleteOutlined />} aria-label={t('automation.templates.deleteOf', { name: r.name })} />
                  </Popconfirm>
                </Space>
              ),
            },
          ]}
        />
      )}
      <TemplateModal template={editing} open={open} onClose={() => setOpen(false)} />
    </Space>
  );
}
