import { useEffect, useMemo, useRef, useState } from 'react';
import { Button, Checkbox, Form, Input, Select, Tag, Tooltip, Typography, type TableProps } from 'antd';
import { ImportOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { AdminList, FormModal, useSaveOutcome } from './AdminCrud';
import { RowActions } from './RowActions';
import { useCalendars, useDeleteCalendar, useImportHolidays, useSaveCalendar } from '../queries';
import { WeeklyHoursTable, dates, formToWeek, timeZones, weekErrorPath, weekToForm, type Span } from '../../routing/WeeklyHours';
import { useCurrentSession } from '../../auth/session';
import { asObject, asString, toOpenObject } from '../../../api/open';
import { formatDateTime } from '../../../i18n/format';
import type { BusinessCalendar } from '../../../api/types';

type Values = { name: string; is_default: boolean; timezone: string; weekly: Span[][]; holidays: string[]; extra_workdays: string[] };

/** `spec.weekly.mon[1]` → that span's end; `spec.holidays[3]` → the holidays input. */
function calendarFormPath(field: string): Array<string | number> | null {
  if (field === 'name' || field === 'is_default') return [field];
  if (!field.startsWith('spec.')) return null;
  const inner = field.slice('spec.'.length);
  if (inner === 'timezone') return ['timezone'];
  if (inner.startsWith('holidays')) return ['holidays'];
  if (inner.startsWith('extra_workdays')) return ['extra_workdays'];
  return weekErrorPath(inner, 'weekly');
}

const DATE_SPLIT = [',', '，', ' ', '\n'];

function CalendarModal({ calendar, open, onClose }: { calendar: BusinessCalendar | null; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { account } = useCurrentSession();
  const [form] = Form.useForm<Values>();
  const save = useSaveCalendar();
  // Hours of adjusted working days are not edited here; a stored value is sent back unchanged.
  const workdayHours = useRef<unknown>(undefined);
  const zones = useMemo(() => timeZones([account.timezone, 'Asia/Shanghai']).map((z) => ({ value: z, label: z })), [account.timezone]);

  useEffect(() => {
    if (!open) return;
    const spec = asObject(calendar?.spec);
    workdayHours.current = spec.workday_hours;
    form.resetFields();
    form.setFieldsValue({
      name: calendar?.name ?? '',
      is_default: calendar?.is_default ?? false,
      timezone: asString(spec.timezone) || account.timezone,
      weekly: weekToForm(calendar ? spec.weekly : null),
      holidays: dates(spec.holidays),
      extra_workdays: dates(spec.extra_workdays),
    });
  }, [open, calendar, form, account.timezone]);

  const outcome = useSaveOutcome(form, calendarFormPath, onClose);
  const onFinish = (values: Values) => {
    const spec = {
      timezone: values.timezone,
      weekly: formToWeek(values.weekly),
      holidays: values.holidays ?? [],
      extra_workdays: values.extra_workdays ?? [],
      ...(Array.isArray(workdayHours.current) ? { workday_hours: workdayHours.current } : {}),
    };
    save.mutate({ id: calendar?.id ?? null, body: { name: values.name, is_default: values.is_default, spec: toOpenObject(spec) } }, outcome);
  };

  return (
    <FormModal
      open={open}
      title={calendar ? t('calendars.edit', { name: calendar.name }) : t('calendars.create')}
      form={form}
      pending={save.isPending}
      onClose={onClose}
      width={720}
    >
      <Form<Values> form={form} layout="vertical" onFinish={onFinish} disabled={save.isPending} requiredMark={false}>
        <Form.Item name="name" label={t('calendars.name')} rules={[{ required: true, whitespace: true, message: t('validation.required') }]}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="timezone" label={t('calendars.timezone')} rules={[{ required: true, message: t('validation.required') }]}>
          <Select showSearch options={zones} />
        </Form.Item>
        <Form.Item name="is_default" valuePropName="checked">
          <Checkbox>{t('calendars.isDefault')}</Checkbox>
        </Form.Item>
        <Typography.Text strong>{t('calendars.weekly')}</Typography.Text>
        <WeeklyHoursTable name="weekly" editable />
        <Form.Item name="holidays" label={t('calendars.holidays')} extra={t('calendars.datesHint')}>
          <Select<string[]> mode="tags" open={false} tokenSeparators={DATE_SPLIT} placeholder="2026-10-01" />
        </Form.Item>
        <Form.Item name="extra_workdays" label={t('calendars.extraWorkdays')} extra={t('calendars.extraWorkdaysHint')}>
          <Select<string[]> mode="tags" open={false} tokenSeparators={DATE_SPLIT} placeholder="2026-10-11" />
        </Form.Item>
      </Form>
    </FormModal>
  );
}

type ImportValues = { holidays?: string; extra_workdays?: string };

function importFormPath(field: string): Array<string | number> | null {
  if (field.startsWith('holidays')) return ['holidays'];
  return field.startsWith('extra_workdays') ? ['extra_workdays'] : null;
}

/** Splits pasted dates (one a line, or separated by commas or spaces). */
export function splitDates(text: string | undefined): string[] {
  return (text ?? '').split(/[\s,，、;；]+/).filter(Boolean);
}

function ImportModal({ calendar, onClose }: { calendar: BusinessCalendar | null; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<ImportValues>();
  const importing = useImportHolidays();

  useEffect(() => {
    if (calendar) form.resetFields();
  }, [calendar, form]);

  const outcome = useSaveOutcome(form, importFormPath, onClose, t('calendars.imported'));
  const onFinish = (values: ImportValues) => {
    if (!calendar) return;
    importing.mutate({ id: calendar.id, body: { holidays: splitDates(values.holidays), extra_workdays: splitDates(values.extra_workdays) } }, outcome);
  };

  return (
    <FormModal
      open={calendar !== null}
      title={t('calendars.importTitle', { name: calendar?.name ?? '' })}
      okText={t('calendars.import')}
      form={form}
      pending={importing.isPending}
      onClose={onClose}
    >
      <Typography.Paragraph type="secondary">{t('calendars.importHint')}</Typography.Paragraph>
      <Form<ImportValues> form={form} layout="vertical" onFinish={onFinish} disabled={importing.isPending}>
        <Form.Item name="holidays" label={t('calendars.holidays')}>
          <Input.TextArea autoSize={{ minRows: 3, maxRows: 8 }} placeholder={'2026-10-01\n2026-10-02'} />
        </Form.Item>
        <Form.Item name="extra_workdays" label={t('calendars.extraWorkdays')}>
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} placeholder="2026-10-11" />
        </Form.Item>
      </Form>
    </FormModal>
  );
}

type Editing = { open: false } | { open: true; calendar: BusinessCalendar | null };

export function CalendarsTab() {
  const { t } = useTranslation();
  const { account } = useCurrentSession();
  const calendars = useCalendars();
  const remove = useDeleteCalendar();
  const [editing, setEditing] = useState<Editing>({ open: false });
  const [importing, setImporting] = useState<BusinessCalendar | null>(null);

  const columns: TableProps<BusinessCalendar>['columns'] = [
    {
      title: t('calendars.name'),
      dataIndex: 'name',
      render: (_, c) => (
        <>
          {c.name} {c.is_default && <Tag color="blue">{t('calendars.default')}</Tag>}
        </>
      ),
    },
    { title: t('calendars.timezone'), key: 'tz', render: (_, c) => asString(asObject(c.spec).timezone) },
    {
      title: t('calendars.holidays'),
      key: 'holidays',
      render: (_, c) => t('calendars.dayCount', { count: dates(asObject(c.spec).holidays).length }),
    },
    { title: t('ticketSettings.updatedAt'), dataIndex: 'updated_at', render: (_, c) => formatDateTime(c.updated_at, account.timezone) },
    {
      title: t('common.actions'),
      key: 'actions',
      align: 'right',
      render: (_, c) => (
        <RowActions
          name={c.name}
          onEdit={() => setEditing({ open: true, calendar: c })}
          onDelete={() => remove.mutateAsync(c.id)}
        >
          <Tooltip title={t('calendars.import')}>
            <Button type="text" size="small" icon={<ImportOutlined />} aria-label={t('calendars.importNamed', { name: c.name })} onClick={() => setImporting(c)} />
          </Tooltip>
        </RowActions>
      ),
    },
  ];

  return (
    <>
      <AdminList<BusinessCalendar>
        description={t('calendars.description')}
        createLabel={t('calendars.create')}
        onCreate={() => setEditing({ open: true, calendar: null })}
        columns={columns}
        query={calendars}
        emptyText={t('calendars.empty')}
      />
      <CalendarModal open={editing.open} calendar={editing.open ? editing.calendar : null} onClose={() => setEditing({ open: false })} />
      <ImportModal calendar={importing} onClose={() => setImporting(null)} />
    </>
  );
}
