import { useEffect, useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import { App as AntApp, Form, Input, Select } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { CustomFieldInputs, ticketFormPath } from './CustomFieldInputs';
import { customForApi, readFieldDefs } from './customFields';
import { useCategories, useCreateTicket } from './queries';
import { PRIORITIES } from './TicketTags';
import { useUsers } from '../users/queries';
import { useTeams } from '../teams/queries';
import { contactName } from '../inbox/names';
import { api, unwrap } from '../../api/client';
import { FormModal, useSaveOutcome } from './FormModal';
import type { CreateTicket } from '../../api/types';

type Values = {
  title: string;
  description?: string;
  category_id?: number;
  priority: string;
  deadline?: string;
  team_id?: number;
  assignee_id?: number;
  contact_id?: number;
  custom?: Record<string, unknown>;
};

const FIELDS = ['title', 'description', 'category_id', 'priority', 'deadline', 'team_id', 'assignee_id', 'contact_id'] as const;

/** Contacts matching what the agent typed (name, e-mail, phone). */
function useContactSearch(q: string) {
  return useQuery({
    queryKey: ['contacts', 'search', q],
    enabled: q.trim().length > 0,
    queryFn: () => unwrap(api.GET('/api/v1/contacts', { params: { query: { q: q.trim(), limit: 20 } } })).then((page) => page.items),
  });
}

/** A `datetime-local` value (the browser's zone) as RFC 3339. */
export function localInputToRfc3339(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

export function NewTicketModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const [form] = Form.useForm<Values>();
  const categories = useCategories();
  const users = useUsers();
  const teams = useTeams();
  const create = useCreateTicket();
  const [contactQuery, setContactQuery] = useState('');
  const contacts = useContactSearch(contactQuery);
  const categoryId = Form.useWatch('category_id', form);
  const defs = useMemo(
    () => readFieldDefs(categories.data?.find((c) => c.id === categoryId)?.fields),
    [categories.data, categoryId],
  );

  useEffect(() => {
    if (open) form.resetFields();
  }, [open, form]);

  const outcome = useSaveOutcome(form, ticketFormPath(FIELDS), onClose);
  const onFinish = (values: Values) => {
    const body: CreateTicket = {
      title: values.title,
      description: values.description ?? '',
      priority: values.priority,
      category_id: values.category_id ?? null,
      deadline: localInputToRfc3339(values.deadline) ?? null,
      team_id: values.team_id ?? null,
      assignee_id: values.assignee_id ?? null,
      contact_id: values.contact_id ?? null,
      custom: customForApi(defs, values.custom) as CreateTicket['custom'],
    };
    create.mutate(body, {
      onSuccess: (ticket) => {
        void message.success(t('tickets.created', { number: ticket.number }));
        onClose();
        void navigate(`/tickets/${ticket.id}`);
      },
      onError: outcome.onError,
    });
  };

  return (
    <FormModal open={open} title={t('tickets.new')} okText={t('tickets.create')} form={form} pending={create.isPending} onClose={onClose} width={640}>
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={onFinish}
        disabled={create.isPending}
        initialValues={{ priority: 'p3' }}
        requiredMark={false}
      >
        <Form.Item name="title" label={t('tickets.fields.title')} rules={[{ required: true, whitespace: true, message: t('validation.required') }]}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="description" label={t('tickets.fields.description')}>
          <Input.TextArea autoSize={{ minRows: 3, maxRows: 8 }} />
        </Form.Item>
        <Form.Item name="priority" label={t('tickets.fields.priority')}>
          <Select options={PRIORITIES.map((p) => ({ value: p, label: t(`tickets.priority.${p}`) }))} />
        </Form.Item>
        <Form.Item name="category_id" label={t('tickets.fields.category')}>
          <Select
            allowClear
            loading={categories.isPending}
            options={(categories.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
            placeholder={t('tickets.noCategory')}
          />
        </Form.Item>
        <CustomFieldInputs defs={defs} />
        <Form.Item name="deadline" label={t('tickets.fields.deadline')} extra={t('tickets.deadlineHint')}>
          <Input type="datetime-local" />
        </Form.Item>
        <Form.Item name="team_id" label={t('tickets.fields.team')}>
          <Select allowClear showSearch={{ optionFilterProp: 'label' }} options={(teams.data ?? []).map((x) => ({ value: x.id, label: x.name }))} />
        </Form.Item>
        <Form.Item name="assignee_id" label={t('tickets.fields.assignee')}>
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            options={(users.data ?? []).filter((u) => u.active).map((u) => ({ value: u.id, label: `${u.name} · ${u.email}` }))}
          />
        </Form.Item>
        <Form.Item name="contact_id" label={t('tickets.fields.contact')}>
          <Select
            allowClear
            showSearch={{ filterOption: false, onSearch: setContactQuery }}
            loading={contacts.isFetching}
            notFoundContent={contactQuery ? undefined : t('tickets.contactSearchHint')}
            options={(contacts.data ?? []).map((c) => ({
              value: c.id,
              label: [contactName(t, c.id, c.name), c.email, c.phone].filter(Boolean).join(' · '),
            }))}
          />
        </Form.Item>
      </Form>
    </FormModal>
  );
}
