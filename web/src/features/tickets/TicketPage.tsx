import { useEffect, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { Alert, App as AntApp, Button, Card, Flex, Form, Input, Result, Segmented, Select, Skeleton, Space, Typography } from 'antd';
import { ArrowLeftOutlined, SwapOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { CustomFieldInputs, ticketFormPath } from './CustomFieldInputs';
import { StatusMoveModal, TransferTicketModal } from './TicketDialogs';
import { PRIORITIES, SlaMetricTag, TicketPriorityTag, TicketStateTag } from './TicketTags';
import { TicketTimeline } from './TicketTimeline';
import { customForApi, customForForm, readFieldDefs } from './customFields';
import {
  useAddMarker,
  useCategories,
  useMarkers,
  useReplyToTicket,
  useSetCollaborators,
  useTicket,
  useTimeline,
  useUpdateTicket,
  useWorkflow,
} from './queries';
import { readSla } from './sla';
import { useNames } from './useNames';
import { allowedMoves, type WorkflowState } from './workflow';
import { useUsers } from '../users/queries';
import { useCurrentSession } from '../auth/session';
import { applyFieldErrorPaths } from '../../api/fieldErrors';
import { describeError } from '../../api/errorText';
import { formatDateTime } from '../../i18n/format';
import type { TicketDetail, UpdateTicket } from '../../api/types';
import styles from './Tickets.module.css';

/** `/tickets/:ticketId`: the ticket, its workflow moves, replies and notes, markers, people and history. */
export default function TicketPage() {
  const { t } = useTranslation();
  const id = Number(useParams().ticketId);
  const ticket = useTicket(id);
  if (!Number.isInteger(id) || id <= 0) return <Result status="404" title={t('tickets.notFound')} />;
  if (ticket.isPending) return <Skeleton active />;
  if (ticket.isError) return <Result status="warning" title={describeError(t, ticket.error)} extra={<Link to="/tickets">{t('tickets.back')}</Link>} />;
  return <TicketView ticket={ticket.data} />;
}

function Prop({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className={styles.prop}>
      <div className={styles.propLabel}>{label}</div>
      {children}
    </div>
  );
}

function TicketView({ ticket }: { ticket: TicketDetail }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const { account } = useCurrentSession();
  const workflow = useWorkflow();
  const names = useNames(workflow.data);
  const timeline = useTimeline(ticket.id);
  const users = useUsers();
  const update = useUpdateTicket(ticket.id);
  const collaborators = useSetCollaborators(ticket.id);
  const [moveTo, setMoveTo] = useState<WorkflowState | null>(null);
  const [transferring, setTransferring] = useState(false);
  const moves = workflow.data ? allowedMoves(workflow.data, ticket.status) : [];
  const sla = readSla(ticket.sla);
  const fail = (error: unknown) => void message.error(describeError(t, error));
  const patch = (body: UpdateTicket) => update.mutate(body, { onError: fail });
  const userOptions = (users.data ?? []).filter((u) => u.active).map((u) => ({ value: u.id, label: u.name }));

  return (
    <>
      <Flex align="center" gap={8} wrap style={{ marginBottom: 12 }}>
        <Link to="/tickets" aria-label={t('tickets.back')}>
          <ArrowLeftOutlined />
        </Link>
        <Typography.Text type="secondary" strong className={styles.number}>
          {ticket.number}
        </Typography.Text>
        <TicketStateTag name={ticket.status_name} kind={ticket.status_kind} />
        <TicketPriorityTag priority={ticket.priority} />
      </Flex>
      <Typography.Title
        level={4}
        style={{ marginTop: 0 }}
        editable={{
          triggerType: ['icon'],
          tooltip: t('tickets.editTitle'),
          onChange: (title) => {
            if (title.trim() && title !== ticket.title) patch({ title });
          },
        }}
      >
        {ticket.title}
      </Typography.Title>

      <div className={styles.layout}>
        <div className={styles.stack}>
          <Card size="small" title={t('tickets.fields.description')}>
            {ticket.description ? (
              <p className={styles.description}>{ticket.description}</p>
            ) : (
              <Typography.Text type="secondary">{t('tickets.noDescription')}</Typography.Text>
            )}
            {ticket.conversation_id != null && (
              <div style={{ marginTop: 8 }}>
                <Link to={`/inbox/${ticket.conversation_id}`}>{t('tickets.openConversation')}</Link>
              </div>
            )}
          </Card>
          <ReplyBox ticketId={ticket.id} />
          <Card size="small" title={t('tickets.timeline.title')}>
            {timeline.isPending ? (
              <Skeleton active />
            ) : timeline.isError ? (
              <Alert type="error" showIcon title={describeError(t, timeline.error)} />
            ) : (
              <TicketTimeline entries={timeline.data} names={names} />
            )}
          </Card>
        </div>

        <div className={styles.stack}>
          <Card size="small" title={t('tickets.workflow')}>
            <Prop label={t('tickets.currentState')}>
              <TicketStateTag name={ticket.status_name} kind={ticket.status_kind} />
            </Prop>
            <Prop label={t('tickets.moveTo')}>
              {moves.length === 0 ? (
                <Typography.Text type="secondary">{t('tickets.noMoves')}</Typography.Text>
              ) : (
                <Space wrap size={6} role="group" aria-label={t('tickets.moveTo')}>
                  {moves.map((state) => (
                    <Button key={state.key} size="small" onClick={() => setMoveTo(state)}>
                      {state.name}
                    </Button>
                  ))}
                </Space>
              )}
            </Prop>
          </Card>

          <Card size="small" title={t('tickets.fields.sla')}>
            {sla.metrics.length === 0 ? (
              <Typography.Text type="secondary">{sla.policy ? t('tickets.sla.noTargets', { policy: sla.policy }) : t('tickets.sla.none')}</Typography.Text>
            ) : (
              <>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t('tickets.sla.policy', { policy: sla.policy })}
                </Typography.Text>
                {sla.metrics.map((m) => (
                  <div key={m.metric} className={styles.metricRow}>
                    <span>{t(`tickets.sla.metrics.${m.metric}`, { defaultValue: m.metric })}</span>
                    <SlaMetricTag metric={m} />
                  </div>
                ))}
              </>
            )}
          </Card>

          <Card size="small" title={t('tickets.properties')}>
            <Prop label={t('tickets.fields.priority')}>
              <Select
                className={styles.full}
                value={ticket.priority}
                aria-label={t('tickets.fields.priority')}
                onChange={(priority: string) => patch({ priority })}
                options={PRIORITIES.map((p) => ({ value: p, label: t(`tickets.priority.${p}`) }))}
              />
            </Prop>
            <Prop label={t('tickets.fields.assignee')}>
              <Select
                className={styles.full}
                allowClear
                showSearch={{ optionFilterProp: 'label' }}
                value={ticket.assignee_id ?? undefined}
                placeholder={t('tickets.unassigned')}
                aria-label={t('tickets.fields.assignee')}
                onChange={(assignee?: number) => patch({ assignee_id: assignee ?? null })}
                options={userOptions}
              />
            </Prop>
            <Prop label={t('tickets.fields.team')}>
              <Flex justify="space-between" align="center" gap={8}>
                <span>{names.team(ticket.team_id ?? null)}</span>
                <Button size="small" icon={<SwapOutlined />} onClick={() => setTransferring(true)}>
                  {t('tickets.transfer')}
                </Button>
              </Flex>
            </Prop>
            <Prop label={t('tickets.fields.collaborators')}>
              <Select
                className={styles.full}
                mode="multiple"
                showSearch={{ optionFilterProp: 'label' }}
                value={ticket.collaborators}
                aria-label={t('tickets.fields.collaborators')}
                placeholder={t('tickets.addCollaborators')}
                loading={collaborators.isPending}
                onChange={(ids: number[]) => collaborators.mutate(ids, { onError: fail })}
                options={userOptions}
              />
            </Prop>
            {ticket.deadline && (
              <Prop label={t('tickets.fields.deadline')}>{formatDateTime(ticket.deadline, account.timezone)}</Prop>
            )}
            <Prop label={t('tickets.fields.createdAt')}>{formatDateTime(ticket.created_at, account.timezone)}</Prop>
          </Card>

          <CategoryCard ticket={ticket} />
          <MarkerCard ticketId={ticket.id} />
        </div>
      </div>
      <StatusMoveModal ticket={ticket} target={moveTo} onClose={() => setMoveTo(null)} />
      <TransferTicketModal ticket={ticket} open={transferring} onClose={() => setTransferring(false)} />
    </>
  );
}

type ReplyMode = 'agent' | 'note' | 'customer';

/** A public reply, an internal note (only agents see it), or the customer's words taken down by an agent. */
function ReplyBox({ ticketId }: { ticketId: number }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [mode, setMode] = useState<ReplyMode>('agent');
  const [body, setBody] = useState('');
  const reply = useReplyToTicket(ticketId);
  const send = () => {
    if (!body.trim()) return;
    reply.mutate(
      { body, author: mode },
      {
        onSuccess: () => {
          setBody('');
          void message.success(t(`tickets.replySent.${mode}`));
        },
        onError: (error) => void message.error(describeError(t, error)),
      },
    );
  };
  return (
    <Card size="small">
      <Segmented<ReplyMode>
        value={mode}
        onChange={setMode}
        options={(['agent', 'note', 'customer'] as const).map((m) => ({ value: m, label: t(`tickets.replyModes.${m}`) }))}
        style={{ marginBottom: 8 }}
      />
      <div className={mode === 'note' ? styles.noteComposer : undefined}>
        <Input.TextArea
          value={body}
          onChange={(e) => setBody(e.target.value)}
          autoSize={{ minRows: 3, maxRows: 10 }}
          placeholder={t(`tickets.replyPlaceholders.${mode}`)}
          aria-label={t(`tickets.replyModes.${mode}`)}
          disabled={reply.isPending}
        />
      </div>
      <Flex justify="flex-end" style={{ marginTop: 8 }}>
        <Button type="primary" onClick={send} loading={reply.isPending} disabled={!body.trim()}>
          {t(`tickets.replySubmit.${mode}`)}
        </Button>
      </Flex>
    </Card>
  );
}

type CategoryValues = { category_id?: number; custom?: Record<string, unknown> };

/** The category and its typed custom fields; 422 paths `custom.<key>` land on their input. */
function CategoryCard({ ticket }: { ticket: TicketDetail }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<CategoryValues>();
  const categories = useCategories();
  const update = useUpdateTicket(ticket.id);
  const chosen = Form.useWatch('category_id', form);
  const defsOf = (id: number | null | undefined) => readFieldDefs(categories.data?.find((c) => c.id === id)?.fields);
  const defs = useMemo(() => defsOf(chosen), [categories.data, chosen]);

  useEffect(() => {
    form.setFieldsValue({ category_id: ticket.category_id ?? undefined, custom: customForForm(defsOf(ticket.category_id), ticket.custom) });
  }, [ticket, categories.data, form]);

  const onFinish = (values: CategoryValues) => {
    const categoryId = values.category_id ?? null;
    const body: UpdateTicket = { custom: customForApi(defs, values.custom, true) as UpdateTicket['custom'] };
    if (categoryId !== (ticket.category_id ?? null)) body.category_id = categoryId;
    update.mutate(body, {
      onSuccess: () => void message.success(t('tickets.saved')),
      onError: (error) => {
        if (!applyFieldErrorPaths(form, error, ticketFormPath(['category_id']))) void message.error(describeError(t, error));
      },
    });
  };

  return (
    <Card size="small" title={t('tickets.fields.category')}>
      <Form<CategoryValues> form={form} layout="vertical" onFinish={onFinish} disabled={update.isPending} size="small">
        <Form.Item name="category_id" label={t('tickets.fields.category')}>
          <Select allowClear placeholder={t('tickets.noCategory')} options={(categories.data ?? []).map((c) => ({ value: c.id, label: c.name }))} />
        </Form.Item>
        <CustomFieldInputs defs={defs} />
        <Button htmlType="submit" size="small" loading={update.isPending}>
          {t('common.save')}
        </Button>
      </Form>
    </Card>
  );
}

/** Puts a progress marker from the account's list on the ticket, with an optional note. */
function MarkerCard({ ticketId }: { ticketId: number }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const markers = useMarkers();
  const add = useAddMarker(ticketId);
  const [markerId, setMarkerId] = useState<number | undefined>();
  const [note, setNote] = useState('');
  const submit = () => {
    if (markerId === undefined) return;
    add.mutate(
      { marker_id: markerId, note: note.trim() || null },
      {
        onSuccess: () => {
          setMarkerId(undefined);
          setNote('');
          void message.success(t('tickets.markerAdded'));
        },
        onError: (error) => void message.error(describeError(t, error)),
      },
    );
  };
  return (
    <Card size="small" title={t('tickets.markers')}>
      {markers.data && markers.data.length === 0 ? (
        <Typography.Text type="secondary">{t('tickets.noMarkers')}</Typography.Text>
      ) : (
        <Flex vertical gap={8}>
          <Select
            className={styles.full}
            value={markerId}
            onChange={setMarkerId}
            placeholder={t('tickets.pickMarker')}
            aria-label={t('tickets.pickMarker')}
            loading={markers.isPending}
            options={(markers.data ?? []).map((m) => ({ value: m.id, label: m.name }))}
          />
          <Input value={note} onChange={(e) => setNote(e.target.value)} placeholder={t('tickets.markerNote')} aria-label={t('tickets.markerNote')} maxLength={1000} />
          <Button size="small" onClick={submit} disabled={markerId === undefined} loading={add.isPending}>
            {t('tickets.addMarker')}
          </Button>
        </Flex>
      )}
    </Card>
  );
}
