import { useEffect } from 'react';
import { Form, Input, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { useChangeStatus, useTransferTicket } from './queries';
import type { WorkflowState } from './workflow';
import { useTeams } from '../teams/queries';
import { FormModal, useSaveOutcome } from './FormModal';
import { ticketFormPath } from './CustomFieldInputs';
import type { TicketDetail } from '../../api/types';

type MoveValues = { reason?: string };

/** Moves the ticket to `target` (one the workflow allows), with an optional reason. */
export function StatusMoveModal({ ticket, target, onClose }: { ticket: TicketDetail; target: WorkflowState | null; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<MoveValues>();
  const move = useChangeStatus(ticket.id);

  useEffect(() => {
    if (target) form.resetFields();
  }, [target, form]);

  const outcome = useSaveOutcome(form, ticketFormPath(['reason']), onClose, t('tickets.moved', { state: target?.name ?? '' }));
  const onFinish = (values: MoveValues) => {
    if (target) move.mutate({ status: target.key, reason: values.reason?.trim() || null }, outcome);
  };

  return (
    <FormModal
      open={target !== null}
      title={target ? t('tickets.moveTitle', { from: ticket.status_name, to: target.name }) : ''}
      okText={t('tickets.move')}
      form={form}
      pending={move.isPending}
      onClose={onClose}
    >
      <Form<MoveValues> form={form} layout="vertical" onFinish={onFinish} disabled={move.isPending}>
        <Form.Item name="reason" label={t('tickets.reason')}>
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 5 }} maxLength={1000} />
        </Form.Item>
      </Form>
    </FormModal>
  );
}

type TransferValues = { team_id?: number; reason?: string };

/** Transfers the ticket to another team (department) with a reason; the server keeps the assignee only if they are in it. */
export function TransferTicketModal({ ticket, open, onClose }: { ticket: TicketDetail; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<TransferValues>();
  const teams = useTeams();
  const transfer = useTransferTicket(ticket.id);

  useEffect(() => {
    if (open) form.resetFields();
  }, [open, form]);

  const outcome = useSaveOutcome(form, ticketFormPath(['team_id', 'reason']), onClose, t('tickets.transferred'));
  const onFinish = (values: TransferValues) => {
    if (values.team_id !== undefined) transfer.mutate({ team_id: values.team_id, reason: values.reason?.trim() ?? '' }, outcome);
  };

  return (
    <FormModal
      open={open}
      title={t('tickets.transferTitle', { number: ticket.number })}
      okText={t('tickets.transfer')}
      form={form}
      pending={transfer.isPending}
      onClose={onClose}
    >
      <Form<TransferValues> form={form} layout="vertical" onFinish={onFinish} disabled={transfer.isPending} requiredMark={false}>
        <Form.Item name="team_id" label={t('tickets.fields.team')} rules={[{ required: true, message: t('validation.required') }]}>
          <Select
            showSearch={{ optionFilterProp: 'label' }}
            options={(teams.data ?? []).filter((x) => x.id !== ticket.team_id).map((x) => ({ value: x.id, label: x.name }))}
          />
        </Form.Item>
        <Form.Item
          name="reason"
          label={t('tickets.reason')}
          extra={t('tickets.transferHint')}
          rules={[{ required: true, whitespace: true, message: t('validation.required') }]}
        >
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 5 }} maxLength={1000} />
        </Form.Item>
      </Form>
    </FormModal>
  );
}
