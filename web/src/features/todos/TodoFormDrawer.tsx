import { useEffect } from 'react';
import { App as AntApp, Button, Drawer, Flex, Form, Input, InputNumber, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { useCurrentSession } from '../auth/session';
import { useUsers } from '../users/queries';
import { applyFieldErrorPaths } from '../../api/fieldErrors';
import { describeError } from '../../api/errorText';
import { useCreateTodo, useTemplates, useUpdateTodo } from './queries';
import { fromZonedInput, toZonedInput } from './zonedTime';
import { TODO_PRIORITIES, TODO_REPEATS, type NewTodo, type Todo, type TodoPatch } from './types';

/** Colours a to-do can carry (the server takes any #rgb / #rrggbb). */
export const TODO_COLOURS = ['#f5222d', '#fa8c16', '#fadb14', '#52c41a', '#1677ff', '#722ed1', '#eb2f96'] as const;

type Values = {
  template?: string;
  title: string;
  note: string;
  owner_id?: number;
  collaborators: number[];
  due: string;
  remind: string;
  priority: string;
  colour?: string;
  repeat?: string;
  contact_id?: number | null;
  conversation_id?: number | null;
  ticket_id?: number | null;
};

/** Links a new to-do is made with (from a conversation: its id and contact). */
export type TodoPrefill = { conversation_id?: number; contact_id?: number; ticket_id?: number; title?: string };

/** Where an API field (`due_at`, `collaborators[1]`) sits in the form, or null. */
export function todoFormPath(field: string): string[] | null {
  if (field === 'due_at') return ['due'];
  if (field === 'remind_at') return ['remind'];
  const base = field.replace(/\[\d+\]$/, '');
  const known = ['template', 'title', 'note', 'owner_id', 'collaborators', 'priority', 'colour', 'repeat', 'contact_id', 'conversation_id', 'ticket_id'];
  return known.includes(base) ? [base] : null;
}

/**
 * Create a to-do (`todo` null; optionally from a template or prefilled with a conversation's
 * links) or edit one. Times are entered in the account's time zone.
 */
export function TodoFormDrawer({
  open,
  todo,
  prefill,
  onClose,
  onSaved,
}: {
  open: boolean;
  todo: Todo | null;
  prefill?: TodoPrefill;
  onClose: () => void;
  onSaved?: (todo: Todo) => void;
}) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const { user, account } = useCurrentSession();
  const tz = account.timezone;
  const [form] = Form.useForm<Values>();
  const users = useUsers();
  const templates = useTemplates();
  const create = useCreateTodo();
  const update = useUpdateTodo();
  const pending = create.isPending || update.isPending;
  const template = Form.useWatch('template', form);

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue({
      template: undefined,
      title: todo?.title ?? prefill?.title ?? '',
      note: todo?.note ?? '',
      owner_id: todo?.owner_id ?? user.id,
      collaborators: todo?.collaborators ?? [],
      due: toZonedInput(todo?.due_at, tz),
      remind: toZonedInput(todo?.remind_at, tz),
      priority: todo?.priority ?? 'normal',
      colour: todo?.colour ?? undefined,
      repeat: todo?.repeat ?? undefined,
      contact_id: todo?.contact_id ?? prefill?.contact_id ?? null,
      conversation_id: todo?.conversation_id ?? prefill?.conversation_id ?? null,
      ticket_id: todo?.ticket_id ?? prefill?.ticket_id ?? null,
    });
  }, [open, todo, prefill, form, user.id, tz]);

  const onError = (error: unknown) => {
    const placed = applyFieldErrorPaths(form, error, todoFormPath);
    if (!placed) void message.error(describeError(t, error));
  };

  const done = (saved: Todo, key: 'created' | 'updated') => {
    void message.success(t(`todos.form.${key}`, { title: saved.title }));
    onSaved?.(saved);
    onClose();
  };

  const onSave = async () => {
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const due_at = fromZonedInput(v.due, tz);
    const remind_at = fromZonedInput(v.remind, tz);
    if (!todo) {
      const body: NewTodo = {
        template: v.template || undefined,
        title: v.title.trim() || undefined,
        note: v.note.trim() || undefined,
        owner_id: v.owner_id,
        collaborators: v.collaborators,
        due_at: due_at ?? undefined,
        remind_at: remind_at ?? undefined,
        // A template brings its own priority and colour unless the agent picked one.
        priority: v.template && !form.isFieldTouched('priority') ? undefined : v.priority,
        colour: v.colour || undefined,
        repeat: v.repeat || undefined,
        contact_id: v.contact_id ?? undefined,
        conversation_id: v.conversation_id ?? undefined,
        ticket_id: v.ticket_id ?? undefined,
      };
      create.mutate(body, { onSuccess: (saved) => done(saved, 'created'), onError });
      return;
    }
    const body: TodoPatch = {
      title: v.title.trim(),
      note: v.note,
      owner_id: v.owner_id,
      collaborators: v.collaborators,
      due_at,
      remind_at,
      priority: v.priority,
      colour: v.colour || null,
      repeat: v.repeat || null,
    };
    update.mutate({ id: todo.id, body }, { onSuccess: (saved) => done(saved, 'updated'), onError });
  };

  const userOptions = (users.data ?? []).filter((u) => u.active).map((u) => ({ value: u.id, label: u.name }));

  return (
    <Drawer
      open={open}
      onClose={onClose}
      title={todo ? t('todos.form.editTitle') : t('todos.form.createTitle')}
      size={520}
      extra={
        <Flex gap={8}>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" loading={pending} onClick={() => void onSave()}>
            {todo ? t('common.save') : t('todos.form.create')}
          </Button>
        </Flex>
      }
    >
      <Form<Values> name="todo" form={form} layout="vertical" requiredMark="optional" disabled={pending}>
        {!todo && (
          <Form.Item name="template" label={t('todos.form.template')} extra={t('todos.form.templateHint')}>
            <Select
              allowClear
              loading={templates.isPending}
              options={(templates.data ?? []).map((tpl) => ({ value: tpl.key, label: tpl.name }))}
              placeholder={t('todos.form.noTemplate')}
            />
          </Form.Item>
        )}
        <Form.Item
          name="title"
          label={t('todos.form.title')}
          rules={template ? [] : [{ required: true, whitespace: true, message: t('validation.required') }]}
        >
          <Input maxLength={200} autoComplete="off" />
        </Form.Item>
        <Form.Item name="note" label={t('todos.form.note')}>
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} maxLength={4000} />
        </Form.Item>
        <Flex gap={12} wrap>
          <Form.Item name="owner_id" label={t('todos.form.owner')} style={{ minWidth: 180, flex: 1 }}>
            <Select showSearch={{ optionFilterProp: 'label' }} options={userOptions} loading={users.isPending} />
          </Form.Item>
          <Form.Item name="priority" label={t('todos.form.priority')} style={{ minWidth: 140 }}>
            <Select options={TODO_PRIORITIES.map((p) => ({ value: p, label: t(`todos.priority.${p}`) }))} />
          </Form.Item>
        </Flex>
        <Form.Item name="collaborators" label={t('todos.form.collaborators')}>
          <Select mode="multiple" showSearch={{ optionFilterProp: 'label' }} options={userOptions} maxCount={20} />
        </Form.Item>
        <Flex gap={12} wrap>
          <Form.Item
            name="due"
            label={t('todos.form.due', { zone: tz })}
            style={{ flex: 1, minWidth: 200 }}
            validateTrigger="onBlur"
          >
            <Input type="datetime-local" aria-label={t('todos.form.dueShort')} />
          </Form.Item>
          <Form.Item name="remind" label={t('todos.form.remind')} style={{ flex: 1, minWidth: 200 }}>
            <Input type="datetime-local" aria-label={t('todos.form.remind')} />
          </Form.Item>
        </Flex>
        <Flex gap={12} wrap>
          <Form.Item name="repeat" label={t('todos.form.repeat')} style={{ minWidth: 160 }}>
            <Select
              allowClear
              placeholder={t('todos.repeat.none')}
              options={TODO_REPEATS.map((r) => ({ value: r, label: t(`todos.repeat.${r}`) }))}
            />
          </Form.Item>
          <Form.Item name="colour" label={t('todos.form.colour')} style={{ minWidth: 160 }}>
            <Select
              allowClear
              placeholder={t('todos.form.noColour')}
              options={TODO_COLOURS.map((c) => ({
                value: c,
                label: (
                  <Flex align="center" gap={6}>
                    <span style={{ width: 12, height: 12, borderRadius: 3, background: c, display: 'inline-block' }} />
                    {c}
                  </Flex>
                ),
              }))}
            />
          </Form.Item>
        </Flex>
        <Flex gap={12} wrap>
          <Form.Item name="conversation_id" label={t('todos.form.conversation')} style={{ flex: 1 }}>
            <InputNumber min={1} disabled={!!todo} style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="contact_id" label={t('todos.form.contact')} style={{ flex: 1 }}>
            <InputNumber min={1} disabled={!!todo} style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="ticket_id" label={t('todos.form.ticket')} style={{ flex: 1 }}>
            <InputNumber min={1} disabled={!!todo} style={{ width: '100%' }} />
          </Form.Item>
        </Flex>
      </Form>
    </Drawer>
  );
}
