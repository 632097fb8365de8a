import { useEffect, useMemo, useRef, useState } from 'react';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Form,
  InputNumber,
  Modal,
  Select,
  Skeleton,
  Switch,
  Table,
  Tooltip,
  Typography,
  type TableProps,
} from 'antd';
import { EditOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { DurationInput } from './DurationInput';
import { RouteFields } from './RouteFields';
import { formatDuration } from './duration';
import { WeeklyHoursTable, dates, formToWeek, timeZones, weekErrorPath, weekToForm, type Span } from './WeeklyHours';
import { routeDto, routeFormPath, routeValues, type RouteValues } from './routeForm';
import { useDirectory } from './names';
import { useRoutingSettings, useSetTeamRouting, useTeamsRouting, useUpdateRoutingSettings } from './queries';
import { useTeams } from '../teams/queries';
import { applyFieldErrorPaths } from '../../api/fieldErrors';
import { describeError } from '../../api/errorText';
import { asObject, asString, toOpenObject } from '../../api/open';
import type { RoutingSettings, Team, TeamRouting } from '../../api/types';
import styles from './Routing.module.css';

type Values = {
  default_route: RouteValues;
  sticky_window_secs: number | null;
  reassign_after_secs: number | null;
  default_capacity: number | null;
  away_after_secs: number | null;
  timezone: string;
  business_hours_on: boolean;
  bh_timezone: string;
  weekly: Span[][];
  holidays: string[];
  extra_workdays: string[];
};

function toValues(s: RoutingSettings): Values {
  const hours = s.business_hours ? asObject(s.business_hours) : null;
  return {
    default_route: routeValues(s.default_route),
    sticky_window_secs: s.sticky_window_secs,
    reassign_after_secs: s.reassign_after_secs ?? null,
    default_capacity: s.default_capacity,
    away_after_secs: s.away_after_secs ?? null,
    timezone: s.timezone,
    business_hours_on: hours !== null,
    bh_timezone: (hours && asString(hours.timezone)) || s.timezone,
    weekly: weekToForm(hours?.weekly),
    holidays: hours ? dates(hours.holidays) : [],
    extra_workdays: hours ? dates(hours.extra_workdays) : [],
  };
}

/** API error paths to form paths: `business_hours.weekly.mon[1]` → that span's end. */
function settingsFormPath(field: string): Array<string | number> | null {
  if (field.startsWith('default_route.')) return routeFormPath('default_route', field);
  if (['sticky_window_secs', 'reassign_after_secs', 'default_capacity', 'away_after_secs', 'timezone'].includes(field)) return [field];
  if (field === 'business_hours.timezone') return ['bh_timezone'];
  if (field.startsWith('business_hours.holidays')) return ['holidays'];
  if (field.startsWith('business_hours.extra_workdays')) return ['extra_workdays'];
  if (field.startsWith('business_hours.weekly.')) return weekErrorPath(field.slice('business_hours.'.length), 'weekly');
  return null;
}

/** The account's routing defaults, business hours and each team's capacity and overflow. */
export function SettingsTab({ admin }: { admin: boolean }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const settings = useRoutingSettings();
  const update = useUpdateRoutingSettings();
  const [form] = Form.useForm<Values>();
  const workdayHours = useRef<unknown>(undefined);
  const hoursOn = Form.useWatch('business_hours_on', form);

  useEffect(() => {
    if (!settings.data) return;
    form.setFieldsValue(toValues(settings.data));
    workdayHours.current = settings.data.business_hours ? asObject(settings.data.business_hours).workday_hours : undefined;
  }, [settings.data, form]);

  const zones = useMemo(
    () => timeZones([settings.data?.timezone ?? '', settings.data?.business_hours ? asString(asObject(settings.data.business_hours).timezone) : '']),
    [settings.data],
  );
  const zoneOptions = zones.map((z) => ({ value: z, label: z }));

  if (settings.isPending) return <Skeleton active />;
  if (settings.isError) return <Alert type="error" showIcon title={describeError(t, settings.error)} />;

  const onFinish = (values: Values) => {
    const business_hours = values.business_hours_on
      ? {
          timezone: values.bh_timezone,
          weekly: formToWeek(values.weekly),
          holidays: values.holidays ?? [],
          extra_workdays: values.extra_workdays ?? [],
          ...(Array.isArray(workdayHours.current) ? { workday_hours: workdayHours.current } : {}),
        }
      : null;
    update.mutate(
      {
        default_route: routeDto(values.default_route),
        sticky_window_secs: values.sticky_window_secs ?? 0,
        reassign_after_secs: values.reassign_after_secs ?? null,
        default_capacity: values.default_capacity,
        away_after_secs: values.away_after_secs ?? null,
        timezone: values.timezone,
        business_hours: business_hours && toOpenObject(business_hours),
      },
      {
        onSuccess: () => void message.success(t('routing.settings.saved')),
        onError: (error) => {
          if (!applyFieldErrorPaths(form, error, settingsFormPath)) void message.error(describeError(t, error));
        },
      },
    );
  };

  return (
    <>
      <Form<Values>
        name="routing-settings"
        form={form}
        layout="vertical"
        onFinish={onFinish}
        disabled={!admin || update.isPending}
        className={styles.settingsForm}
      >
        <Card title={t('routing.settings.general')} size="small" className={styles.card}>
          <div className={styles.formGrid}>
            <Form.Item
              name="default_capacity"
              label={t('routing.settings.defaultCapacity')}
              extra={t('routing.settings.defaultCapacityHint')}
              rules={[{ required: true, message: t('validation.required') }]}
            >
              <InputNumber<number> min={1} max={1000} precision={0} className={styles.numberInput} />
            </Form.Item>
            <Form.Item name="sticky_window_secs" label={t('routing.settings.stickyWindow')} extra={t('routing.settings.stickyWindowHint')}>
              <DurationInput units={['d', 'h', 'm']} />
            </Form.Item>
            <Form.Item name="reassign_after_secs" label={t('routing.settings.reassignAfter')} extra={t('routing.settings.reassignAfterHint')}>
              <DurationInput units={['h', 'm', 's']} min={1} placeholder={t('routing.settings.never')} />
            </Form.Item>
            <Form.Item name="away_after_secs" label={t('routing.settings.awayAfter')} extra={t('routing.settings.awayAfterHint')}>
              <DurationInput units={['h', 'm']} min={1} placeholder={t('routing.settings.never')} />
            </Form.Item>
            <Form.Item
              name="timezone"
              label={t('routing.settings.timezone')}
              extra={t('routing.settings.timezoneHint')}
              rules={[{ required: true, message: t('validation.required') }]}
            >
              <Select showSearch options={zoneOptions} />
            </Form.Item>
          </div>
        </Card>

        <Card title={t('routing.settings.defaultRoute')} size="small" className={styles.card}>
          <Typography.Paragraph type="secondary" className={styles.formHint}>
            {t('routing.settings.defaultRouteHint')}
          </Typography.Paragraph>
          <RouteFields prefix="default_route" />
        </Card>

        <Card
          title={t('routing.settings.businessHours')}
          size="small"
          className={styles.card}
          extra={
            <Form.Item name="business_hours_on" valuePropName="checked" noStyle>
              <Switch aria-label={t('routing.settings.businessHoursOn')} />
            </Form.Item>
          }
        >
          <Typography.Paragraph type="secondary" className={styles.formHint}>
            {t('routing.settings.businessHoursHint')}
          </Typography.Paragraph>
          <div hidden={!hoursOn}>
            <Form.Item name="bh_timezone" label={t('routing.settings.timezone')} className={styles.narrowItem}>
              <Select showSearch options={zoneOptions} />
            </Form.Item>
            {/* Spans are checked only while business hours are on (hidden otherwise). */}
            <WeeklyHoursTable name="weekly" editable={admin} checked={() => !!form.getFieldValue('business_hours_on')} />
            <div className={styles.formGrid}>
              <Form.Item name="holidays" label={t('routing.settings.holidays')} extra={t('routing.settings.datesHint')}>
                <Select<string[]> mode="tags" open={false} tokenSeparators={[',', '，', ' ']} placeholder="2026-10-01" />
              </Form.Item>
              <Form.Item name="extra_workdays" label={t('routing.settings.extraWorkdays')} extra={t('routing.settings.extraWorkdaysHint')}>
                <Select<string[]> mode="tags" open={false} tokenSeparators={[',', '，', ' ']} placeholder="2026-10-10" />
              </Form.Item>
            </div>
          </div>
        </Card>

        {admin && (
          <div className={styles.saveBar}>
            <Button type="primary" htmlType="submit" loading={update.isPending}>
              {t('common.save')}
            </Button>
          </div>
        )}
      </Form>
      <TeamRoutingCard admin={admin} />
    </>
  );
}

/** Each team's default capacity and where its queue overflows to. */
function TeamRoutingCard({ admin }: { admin: boolean }) {
  const { t } = useTranslation();
  const teams = useTeams();
  const list = useMemo(() => teams.data ?? [], [teams.data]);
  const routing = useTeamsRouting(list.map((team) => team.id));
  const names = useDirectory();
  const [editing, setEditing] = useState<Team | null>(null);
  const of = (team: Team): TeamRouting | undefined => routing[list.indexOf(team)]?.data;
  const dash = <Typography.Text type="secondary">—</Typography.Text>;

  const columns: TableProps<Team>['columns'] = [
    { title: t('routing.settings.team'), dataIndex: 'name' },
    {
      title: t('routing.settings.teamCapacity'),
      key: 'capacity',
      render: (_, team) => of(team)?.default_capacity ?? <Typography.Text type="secondary">{t('routing.settings.accountDefault')}</Typography.Text>,
    },
    {
      title: t('routing.settings.overflowAfter'),
      key: 'after',
      render: (_, team) => {
        const after = of(team)?.overflow_after_secs;
        return after != null ? formatDuration(t, after) : dash;
      },
    },
    {
      title: t('routing.settings.overflowTeam'),
      key: 'to',
      render: (_, team) => {
        const to = of(team)?.overflow_team_id;
        return to != null ? names.team(to) : dash;
      },
    },
    ...(admin
      ? [
          {
            title: t('common.actions'),
            key: 'actions',
            width: 70,
            align: 'right' as const,
            render: (_: unknown, team: Team) => (
              <Tooltip title={t('common.edit')}>
                <Button
                  type="text"
                  size="small"
                  icon={<EditOutlined />}
                  disabled={!of(team)}
                  onClick={() => setEditing(team)}
                  aria-label={t('routing.settings.editTeamOf', { name: team.name })}
                />
              </Tooltip>
            ),
          },
        ]
      : []),
  ];

  return (
    <Card title={t('routing.settings.teamRouting')} size="small" className={styles.card} styles={{ body: { padding: 0 } }}>
      <Typography.Paragraph type="secondary" className={styles.cardIntro}>
        {t('routing.settings.teamRoutingHint')}
      </Typography.Paragraph>
      <Table<Team>
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={list}
        loading={teams.isPending || routing.some((q) => q.isPending)}
        pagination={false}
        locale={{ emptyText: teams.isError ? describeError(t, teams.error) : t('routing.settings.noTeams') }}
      />
      {admin && (
        <TeamRoutingModal team={editing} value={editing ? of(editing) : undefined} teams={list} onClose={() => setEditing(null)} />
      )}
    </Card>
  );
}

type TeamValues = { default_capacity: number | null; overflow_after_secs: number | null; overflow_team_id: number | null };

function TeamRoutingModal({
  team,
  value,
  teams,
  onClose,
}: {
  team: Team | null;
  value: TeamRouting | undefined;
  teams: Team[];
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<TeamValues>();
  const save = useSetTeamRouting();

  useEffect(() => {
    if (!team) return;
    form.resetFields();
    form.setFieldsValue({
      default_capacity: value?.default_capacity ?? null,
      overflow_after_secs: value?.overflow_after_secs ?? null,
      overflow_team_id: value?.overflow_team_id ?? null,
    });
  }, [team, value, form]);

  const onFinish = (values: TeamValues) => {
    if (!team) return;
    save.mutate(
      {
        id: team.id,
        body: {
          default_capacity: values.default_capacity ?? null,
          overflow_after_secs: values.overflow_after_secs ?? null,
          overflow_team_id: values.overflow_team_id ?? null,
        },
      },
      {
        onSuccess: () => {
          void message.success(t('routing.settings.teamSaved', { name: team.name }));
          onClose();
        },
        onError: (error) => {
          const known = ['default_capacity', 'overflow_after_secs', 'overflow_team_id'];
          if (!applyFieldErrorPaths(form, error, (field) => (known.includes(field) ? [field] : null))) {
            void message.error(describeError(t, error));
          }
        },
      },
    );
  };

  return (
    <Modal
      open={team !== null}
      title={team ? t('routing.settings.editTeamOf', { name: team.name }) : ''}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={save.isPending}
      forceRender
      width={480}
    >
      <Form<TeamValues> name="team-routing" form={form} layout="vertical" onFinish={onFinish} disabled={save.isPending}>
        <Form.Item name="default_capacity" label={t('routing.settings.teamCapacity')} extra={t('routing.settings.teamCapacityHint')}>
          <InputNumber<number> min={1} max={1000} precision={0} placeholder={t('routing.settings.accountDefault')} className={styles.numberInput} />
        </Form.Item>
        <Form.Item name="overflow_after_secs" label={t('routing.settings.overflowAfter')} extra={t('routing.settings.overflowAfterHint')}>
          <DurationInput units={['h', 'm', 's']} min={1} placeholder={t('routing.settings.never')} />
        </Form.Item>
        <Form.Item name="overflow_team_id" label={t('routing.settings.overflowTeam')}>
          <Select<number>
            allowClear
            placeholder={t('routing.settings.noOverflow')}
            options={teams.filter((other) => other.id !== team?.id).map((other) => ({ value: other.id, label: other.name }))}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
