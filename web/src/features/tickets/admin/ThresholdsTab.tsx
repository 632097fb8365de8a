import { useEffect } from 'react';
import { Alert, App as AntApp, Button, Card, Checkbox, Flex, Form, Input, InputNumber, Skeleton, Table, Typography, type TableProps } from 'antd';
import { DeleteOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { usePutThresholdSettings, useRefreshThresholds, useThresholdSettings, useThresholds } from '../queries';
import { formatDuration } from '../../routing/duration';
import { useCurrentSession } from '../../auth/session';
import { applyFieldErrorPaths } from '../../../api/fieldErrors';
import { describeError } from '../../../api/errorText';
import { asArray, asNumber, asObject, asString } from '../../../api/open';
import { formatDateTime } from '../../../i18n/format';
import type { SlaThreshold } from '../../../api/types';

type Peak = { name: string; from: string; to: string; factor: number };
type Values = { window_days: number; min_samples: number; p90_pct: number; seasonal_last_year: boolean; peaks: Peak[] };

function toValues(raw: unknown): Values {
  const s = asObject(raw);
  return {
    window_days: asNumber(s.window_days) ?? 28,
    min_samples: asNumber(s.min_samples) ?? 20,
    p90_pct: Math.round((asNumber(s.p90_fraction) ?? 5 / 6) * 1000) / 10,
    seasonal_last_year: s.seasonal_last_year !== false,
    peaks: asArray(s.peaks).map((p) => {
      const peak = asObject(p);
      return { name: asString(peak.name), from: asString(peak.from), to: asString(peak.to), factor: asNumber(peak.factor) ?? 1 };
    }),
  };
}

function settingsPath(field: string): Array<string | number> | null {
  if (field === 'p90_fraction') return ['p90_pct'];
  if (['window_days', 'min_samples', 'seasonal_last_year'].includes(field)) return [field];
  const peak = /^peaks\[(\d+)\]\.(\w+)$/.exec(field);
  return peak ? ['peaks', Number(peak[1]), peak[2]] : null;
}

/** How warning thresholds are learned from history, the peak periods, and what was learned. */
export function ThresholdsTab() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const { account } = useCurrentSession();
  const settings = useThresholdSettings();
  const put = usePutThresholdSettings();
  const thresholds = useThresholds();
  const refresh = useRefreshThresholds();
  const [form] = Form.useForm<Values>();

  useEffect(() => {
    if (settings.data) form.setFieldsValue(toValues(settings.data));
  }, [settings.data, form]);

  const onFinish = (v: Values) =>
    put.mutate(
      { window_days: v.window_days, min_samples: v.min_samples, p90_fraction: v.p90_pct / 100, seasonal_last_year: v.seasonal_last_year, peaks: v.peaks ?? [] },
      {
        onSuccess: () => void message.success(t('ticketSettings.saved')),
        onError: (error) => {
          if (!applyFieldErrorPaths(form, error, settingsPath)) void message.error(describeError(t, error));
        },
      },
    );

  const ms = (value: number | null | undefined) => (value == null ? '—' : formatDuration(t, value / 1000));
  const columns: TableProps<SlaThreshold>['columns'] = [
    { title: t('thresholds.category'), dataIndex: 'category_key', render: (_, r) => r.category_key || t('tickets.noCategory') },
    { title: t('tickets.fields.priority'), dataIndex: 'priority', render: (_, r) => t(`tickets.priority.${r.priority}`, { defaultValue: r.priority }) },
    { title: t('thresholds.samples'), dataIndex: 'sample_count', align: 'right' },
    { title: 'P50', key: 'p50', render: (_, r) => ms(r.p50_ms) },
    { title: 'P90', key: 'p90', render: (_, r) => ms(r.p90_ms) },
    { title: t('thresholds.seasonal'), dataIndex: 'seasonal_factor', render: (_, r) => `×${r.seasonal_factor.toFixed(2)}` },
    { title: t('thresholds.warn'), key: 'warn', render: (_, r) => ms(r.warn_ms) },
    { title: t('thresholds.basis'), dataIndex: 'basis', render: (_, r) => t(`thresholds.bases.${r.basis}`, { defaultValue: r.basis }) },
    { title: t('thresholds.computedAt'), dataIndex: 'computed_at', render: (_, r) => formatDateTime(r.computed_at, account.timezone) },
  ];

  return (
    <Flex vertical gap={16}>
      <Card size="small" title={t('thresholds.settings')}>
        {settings.isPending ? (
          <Skeleton active />
        ) : settings.isError ? (
          <Alert type="error" showIcon title={describeError(t, settings.error)} />
        ) : (
          <Form<Values> form={form} layout="vertical" onFinish={onFinish} disabled={put.isPending}>
            <Flex gap={16} wrap>
              <Form.Item name="window_days" label={t('thresholds.windowDays')} rules={[{ required: true, message: t('validation.required') }]}>
                <InputNumber<number> min={1} max={365} precision={0} suffix={t('thresholds.days')} />
              </Form.Item>
              <Form.Item name="min_samples" label={t('thresholds.minSamples')} rules={[{ required: true, message: t('validation.required') }]}>
                <InputNumber<number> min={1} precision={0} />
              </Form.Item>
              <Form.Item name="p90_pct" label={t('thresholds.p90Fraction')} extra={t('thresholds.p90Hint')} rules={[{ required: true, message: t('validation.required') }]}>
                <InputNumber<number> min={1} max={200} precision={1} suffix="%" />
              </Form.Item>
              <Form.Item name="seasonal_last_year" valuePropName="checked" label=" ">
                <Checkbox>{t('thresholds.seasonalLastYear')}</Checkbox>
              </Form.Item>
            </Flex>
            <Typography.Text strong>{t('thresholds.peaks')}</Typography.Text>
            <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
              {t('thresholds.peaksHint')}
            </Typography.Paragraph>
            <Form.List name="peaks">
              {(items, { add, remove }) => (
                <>
                  {items.map((item, index) => (
                    <Flex key={item.key} gap={8} role="group" aria-label={t('thresholds.peakN', { n: index + 1 })}>
                      <Form.Item name={[item.name, 'name']} rules={[{ required: true, message: t('validation.required') }]}>
                        <Input placeholder={t('thresholds.peakName')} aria-label={t('thresholds.peakName')} maxLength={100} />
                      </Form.Item>
                      <Form.Item name={[item.name, 'from']} rules={[{ required: true, message: t('validation.required') }]}>
                        <Input type="date" aria-label={t('thresholds.from')} />
                      </Form.Item>
                      <Form.Item name={[item.name, 'to']} rules={[{ required: true, message: t('validation.required') }]}>
                        <Input type="date" aria-label={t('thresholds.to')} />
                      </Form.Item>
                      <Form.Item name={[item.name, 'factor']} rules={[{ required: true, message: t('validation.required') }]}>
                        <InputNumber<number> min={0.1} max={10} step={0.1} prefix="×" aria-label={t('thresholds.factor')} />
                      </Form.Item>
                      <Button type="text" danger icon={<DeleteOutlined />} onClick={() => remove(item.name)} aria-label={t('thresholds.removePeak', { n: index + 1 })} />
                    </Flex>
                  ))}
                  <Button type="dashed" size="small" icon={<PlusOutlined />} onClick={() => add({ name: '', from: '', to: '', factor: 1.5 })}>
                    {t('thresholds.addPeak')}
                  </Button>
                </>
              )}
            </Form.List>
            <div style={{ marginTop: 16 }}>
              <Button type="primary" htmlType="submit" loading={put.isPending}>
                {t('common.save')}
              </Button>
            </div>
          </Form>
        )}
      </Card>
      <Card
        size="small"
        title={t('thresholds.learned')}
        extra={
          <Button
            icon={<ReloadOutlined />}
            loading={refresh.isPending}
            onClick={() =>
              refresh.mutate(undefined, {
                onSuccess: () => void message.success(t('thresholds.refreshed')),
                onError: (error) => void message.error(describeError(t, error)),
              })
            }
          >
            {t('thresholds.refresh')}
          </Button>
        }
        styles={{ body: { padding: 0 } }}
      >
        <Table<SlaThreshold>
          rowKey={(r) => `${r.category_key}:${r.priority}`}
          size="small"
          columns={columns}
          dataSource={thresholds.data ?? []}
          loading={thresholds.isPending}
          pagination={false}
          scroll={{ x: 900 }}
          locale={{ emptyText: thresholds.isError ? describeError(t, thresholds.error) : t('thresholds.empty') }}
        />
      </Card>
    </Flex>
  );
}
