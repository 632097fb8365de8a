import { useEffect, useState } from 'react';
import { Alert, App as AntApp, Button, Flex, Input, Select, Skeleton, Space, Switch, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/errors';
import { describeError } from '../../api/errorText';
import { useSaveTodoSettings, useTemplates, useTodoSettings } from '../todos/queries';

type Row = { tag: string; template: string | null };

/** Tags that prompt the agent to create a to-do (D2), each with an optional template; the daily list. */
export function SettingsTab() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const settings = useTodoSettings();
  const templates = useTemplates();
  const save = useSaveTodoSettings();
  const [rows, setRows] = useState<Row[]>([]);
  const [daily, setDaily] = useState(true);
  const [errors, setErrors] = useState<Map<string, string>>(new Map());

  useEffect(() => {
    if (!settings.data) return;
    const tags = settings.data.prompt_tags as Record<string, string | null>;
    setRows(Object.entries(tags).map(([tag, template]) => ({ tag, template: template ?? null })));
    setDaily(settings.data.daily_list);
  }, [settings.data]);

  if (settings.isPending) return <Skeleton active />;
  if (settings.isError) return <Alert type="error" showIcon title={describeError(t, settings.error)} />;

  const onSave = () => {
    const prompt_tags: Record<string, string | null> = {};
    for (const r of rows) if (r.tag.trim()) prompt_tags[r.tag.trim()] = r.template;
    setErrors(new Map());
    save.mutate(
      { prompt_tags: prompt_tags as unknown as Record<string, never>, daily_list: daily },
      {
        onSuccess: () => void message.success(t('automation.settings.saved')),
        onError: (error) => {
          if (isApiError(error) && error.details.length > 0) {
            setErrors(new Map(error.details.map((d) => [d.field.replace(/^prompt_tags\./, ''), d.message])));
          } else void message.error(describeError(t, error));
        },
      },
    );
  };

  const templateOptions = (templates.data ?? []).map((x) => ({ value: x.key, label: x.name }));
  return (
    <Space orientation="vertical" size={16} style={{ maxWidth: 720, width: '100%' }}>
      <Typography.Title level={5}>{t('automation.settings.promptTitle')}</Typography.Title>
      <Typography.Text type="secondary">{t('automation.settings.promptHint')}</Typography.Text>
      {rows.map((r, i) => (
        <div key={i}>
          <Flex gap={8} align="center">
            <Input
              value={r.tag}
              aria-label={t('automation.settings.tag')}
              placeholder={t('automation.settings.tag')}
              status={errors.has(r.tag) ? 'error' : undefined}
              onChange={(e) => setRows(rows.map((x, j) => (j === i ? { ...x, tag: e.target.value } : x)))}
              style={{ maxWidth: 220 }}
            />
            <Select
              allowClear
              value={r.template ?? undefined}
              placeholder={t('automation.settings.noTemplate')}
              options={templateOptions}
              style={{ minWidth: 220 }}
              aria-label={t('automation.settings.template')}
              onChange={(v) => setRows(rows.map((x, j) => (j === i ? { ...x, template: v ?? null } : x)))}
            />
            <Button type="text" danger icon={<DeleteOutlined />} aria-label={t('automation.settings.remove')} onClick={() => setRows(rows.filter((_, j) => j !== i))} />
          </Flex>
          {errors.has(r.tag) && <Typography.Text type="danger">{errors.get(r.tag)}</Typography.Text>}
        </div>
      ))}
      <Button icon={<PlusOutlined />} onClick={() => setRows([...rows, { tag: '', template: null }])}>
        {t('automation.settings.add')}
      </Button>
      <Flex gap={8} align="center">
        <Switch checked={daily} onChange={setDaily} aria-label={t('automation.settings.dailyList')} />
        <span>{t('automation.settings.dailyList')}</span>
      </Flex>
      <Button type="primary" loading={save.isPending} onClick={onSave}>
        {t('common.save')}
      </Button>
    </Space>
  );
}
