import { useEffect } from 'react';
import { Alert, App as AntApp, Button, Card, Checkbox, Form, Input, InputNumber, Skeleton, Space, Switch, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { applyFieldErrorPaths } from '../../api/fieldErrors';
import { describeError } from '../../api/errorText';
import { clockToMinutes, isClock, minutesToClock } from '../routing/duration';
import { CONSENT_MEDIA, type Policy } from './model';
import { usePolicy, useSavePolicy } from './queries';
import styles from './Notifications.module.css';

type Values = Omit<Policy, 'dnd'> & { dnd_on: boolean; dnd_start: string; dnd_end: string };

const NUMBERS = [
  'max_per_ticket',
  'max_per_kind',
  'quiet_period_minutes',
  'preference_min_tries',
  'confirm_timeout_minutes',
  'max_unconfirmed_retries',
  'max_attempts',
] as const;
const SWITCHES = ['learn_preference', 'mask_phones', 'mask_emails', 'mask_addresses'] as const;

export function policyToForm(p: Policy): Values {
  const { dnd, ...rest } = p;
  return {
    ...rest,
    dnd_on: dnd !== null,
    dnd_start: minutesToClock(dnd?.start_minute ?? 22 * 60),
    dnd_end: minutesToClock(dnd?.end_minute ?? 8 * 60),
  };
}

export function formToPolicy(v: Values): Policy {
  const { dnd_on, dnd_start, dnd_end, ...rest } = v;
  return {
    ...rest,
    dnd: dnd_on ? { start_minute: clockToMinutes(dnd_start), end_minute: clockToMinutes(dnd_end) } : null,
  };
}

/** An API field of the policy → the form's field. */
export function policyFormPath(field: string): string[] | null {
  if (field === 'dnd.start_minute') return ['dnd_start'];
  if (field === 'dnd.end_minute' || field === 'dnd') return ['dnd_end'];
  if ((NUMBERS as readonly string[]).includes(field) || (SWITCHES as readonly string[]).includes(field) || field === 'consent_required') {
    return [field];
  }
  return null;
}

/** How many notices a customer gets, when, on what with whose consent, and what is masked (N4, N7, N8). */
export function PolicyTab() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const policy = usePolicy();
  const save = useSavePolicy();
  const [form] = Form.useForm<Values>();
  const dndOn = Form.useWatch('dnd_on', form);
  const learn = Form.useWatch('learn_preference', form);

  useEffect(() => {
    if (policy.data) form.setFieldsValue(policyToForm(policy.data));
  }, [policy.data, form]);

  if (policy.isPending) return <Skeleton active />;
  if (policy.isError) return <Alert type="error" showIcon title={describeError(t, policy.error)} />;

  const onFinish = (values: Values) =>
    save.mutate(formToPolicy(values), {
      onSuccess: () => void message.success(t('notifications.saved')),
      onError: (error) => {
        if (!applyFieldErrorPaths(form, error, policyFormPath)) void message.error(describeError(t, error));
      },
    });

  const number = (name: (typeof NUMBERS)[number], unit?: string, disabled = false) => (
    <Form.Item name={name} label={t(`notifications.policy.${name}`)} extra={t(`notifications.policy.${name}Help`)}>
      <InputNumber min={0} precision={0} suffix={unit} style={{ width: 180 }} disabled={disabled} />
    </Form.Item>
  );
  const clock = (name: 'dnd_start' | 'dnd_end') => (
    <Form.Item
      name={name}
      label={t(`notifications.policy.${name}`)}
      hidden={!dndOn}
      rules={[{ validator: (_, v: string) => (isClock(v ?? '') ? Promise.resolve() : Promise.reject(new Error(t('notifications.policy.clockInvalid')))) }]}
    >
      <Input placeholder="22:00" style={{ width: 120 }} />
    </Form.Item>
  );

  return (
    <Form form={form} layout="vertical" onFinish={onFinish} className={styles.formGrid} disabled={save.isPending}>
      <Card title={t('notifications.policy.frequency')} className={styles.section}>
        {number('max_per_ticket')}
        {number('max_per_kind')}
        {number('quiet_period_minutes', t('notifications.units.minutes'))}
        <Form.Item name="dnd_on" label={t('notifications.policy.dnd_on')} valuePropName="checked" extra={t('notifications.policy.dnd_onHelp')}>
          <Switch />
        </Form.Item>
        {/* Kept in the form while off, so turning the hours back on finds them as they were. */}
        <Space size={16} wrap>
          {clock('dnd_start')}
          {clock('dnd_end')}
        </Space>
      </Card>
      <Card title={t('notifications.policy.consentAndLearning')} className={styles.section}>
        <Form.Item name="consent_required" label={t('notifications.policy.consent_required')} extra={t('notifications.policy.consent_requiredHelp')}>
          <Checkbox.Group options={CONSENT_MEDIA.map((m) => ({ value: m, label: t(`notifications.media.${m}`) }))} />
        </Form.Item>
        <Form.Item name="learn_preference" label={t('notifications.policy.learn_preference')} valuePropName="checked" extra={t('notifications.policy.learn_preferenceHelp')}>
          <Switch />
        </Form.Item>
        {number('preference_min_tries', undefined, !learn)}
      </Card>
      <Card title={t('notifications.policy.delivery')} className={styles.section}>
        {number('confirm_timeout_minutes', t('notifications.units.minutes'))}
        {number('max_unconfirmed_retries')}
        {number('max_attempts')}
      </Card>
      <Card title={t('notifications.policy.privacy')} className={styles.section}>
        <Typography.Paragraph type="secondary">{t('notifications.policy.privacyHelp')}</Typography.Paragraph>
        {(['mask_phones', 'mask_emails', 'mask_addresses'] as const).map((name) => (
          <Form.Item key={name} name={name} label={t(`notifications.policy.${name}`)} valuePropName="checked">
            <Switch />
          </Form.Item>
        ))}
      </Card>
      <Button type="primary" htmlType="submit" loading={save.isPending}>
        {t('common.save')}
      </Button>
    </Form>
  );
}
