import { useEffect, useState } from 'react';
import { App as AntApp, Button, Checkbox, Flex, Input, Popover, Space, Typography } from 'antd';
import { FieldTimeOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { describeError } from '../../api/errorText';

const scheduleKey = ['me', 'schedule'] as const;
const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];

/** The agent's own shift start (weekdays and HH:MM in the account's zone): the daily list comes then. */
export function ShiftStart({ timeZone }: { timeZone: string }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const schedule = useQuery({ queryKey: scheduleKey, queryFn: () => unwrap(api.GET('/api/v1/me/schedule')) });
  const save = useMutation({
    mutationFn: (body: { schedule: { weekdays: number[]; start: string } | null }) => unwrap(api.PUT('/api/v1/me/schedule', { body })),
    onSuccess: (saved) => queryClient.setQueryData(scheduleKey, saved),
  });
  const [open, setOpen] = useState(false);
  const [weekdays, setWeekdays] = useState<number[]>([1, 2, 3, 4, 5]);
  const [start, setStart] = useState('09:00');
  const current = schedule.data?.schedule ?? null;

  useEffect(() => {
    if (!open) return;
    setWeekdays(current?.weekdays ?? [1, 2, 3, 4, 5]);
    setStart(current?.start ?? '09:00');
  }, [open, current]);

  const submit = (body: { schedule: { weekdays: number[]; start: string } | null }) =>
    save.mutate(body, {
      onSuccess: () => {
        void message.success(t('todos.shift.saved'));
        setOpen(false);
      },
      onError: (error) => void message.error(describeError(t, error)),
    });

  const label = current
    ? t('todos.shift.label', { days: current.weekdays.map((d) => t(`automation.weekday.${d}`)).join(''), start: current.start })
    : t('todos.shift.calendar');

  return (
    <Popover
      open={open}
      onOpenChange={setOpen}
      trigger="click"
      title={t('todos.shift.title', { zone: timeZone })}
      content={
        <Space orientation="vertical" size={8}>
          <Typography.Text type="secondary">{t('todos.shift.hint')}</Typography.Text>
          <Checkbox.Group
            value={weekdays}
            onChange={(v) => setWeekdays(v as number[])}
            options={WEEKDAYS.map((d) => ({ value: d, label: t(`automation.weekday.${d}`) }))}
          />
          <Input type="time" value={start} onChange={(e) => setStart(e.target.value)} aria-label={t('todos.shift.start')} style={{ width: 140 }} />
          <Flex gap={8}>
            <Button type="primary" size="small" loading={save.isPending} onClick={() => submit({ schedule: { weekdays, start } })}>
              {t('common.save')}
            </Button>
            {current && (
              <Button size="small" onClick={() => submit({ schedule: null })}>
                {t('todos.shift.useCalendar')}
              </Button>
            )}
          </Flex>
        </Space>
      }
    >
      <Button icon={<FieldTimeOutlined />}>{label}</Button>
    </Popover>
  );
}
