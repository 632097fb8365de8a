import { useState } from 'react';
import { App as AntApp, Button, Card, Collapse, Empty, Form, Input, InputNumber, Select, Tag, Tooltip, Typography } from 'antd';
import { DeleteOutlined, ExperimentOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { FieldOption, useFieldOptions } from './ConditionEditor';
import { TraceView } from './TraceView';
import { ValueInput } from './ValueInput';
import { emptyValue, fullFieldName, isFamily, validKey, valueJson, type Shape, type TestValue } from './conditions';
import { UNIT_SECONDS, isClock } from './duration';
import { useDirectory } from './names';
import { useRoutingFields, useSimulate } from './queries';
import { readTrace } from './trace';
import { PRIORITIES } from '../inbox/PriorityTag';
import { isApiError } from '../../api/errors';
import { describeError } from '../../api/errorText';
import { asObject, displayValue } from '../../api/open';
import type { PriorityName, RoutingField, SimulateResult } from '../../api/types';
import styles from './Routing.module.css';

type FactRow = { id: number; field: string; key: string; value: TestValue };
type Values = { contact_id?: number | null; priority?: PriorityName | null; tags?: string[] };

/** How a fact of each kind is entered; a timestamp as "that long ago". */
function factShape(kind: string): Shape {
  switch (kind) {
    case 'number':
      return 'number';
    case 'bool':
      return 'bool';
    case 'tags':
      return 'list';
    case 'timestamp':
      return 'duration';
    case 'clock':
      return 'clock';
    case 'any':
      return 'scalar';
    default:
      return 'text';
  }
}

/** The fact as the server reads it (a timestamp in epoch ms); `undefined` when incomplete. */
function factJson(value: TestValue, now: number): unknown {
  if (value.shape === 'duration') {
    return value.amount === null ? undefined : Math.round(now - value.amount * UNIT_SECONDS[value.unit] * 1000);
  }
  if (value.shape === 'number' && value.number === null) return undefined;
  if (value.shape === 'clock' && !isClock(value.text)) return undefined;
  if (value.shape === 'scalar' && value.type === 'number' && (value.text.trim() === '' || Number.isNaN(Number(value.text)))) {
    return undefined;
  }
  return valueJson(value);
}

let nextRow = 0;
const newRow = (): FactRow => ({ id: ++nextRow, field: '', key: '', value: { shape: 'none' } });

/** Who would get a conversation with these facts now, and why — nothing is assigned. */
export function SimulateTab() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const fields = useRoutingFields();
  const simulate = useSimulate();
  const [form] = Form.useForm<Values>();
  const [rows, setRows] = useState<FactRow[]>(() => [newRow()]);
  const [rowErrors, setRowErrors] = useState<Map<number, string[]>>(new Map());
  const [result, setResult] = useState<{ answer: SimulateResult; at: number } | null>(null);
  const catalogue = fields.data ?? [];

  const setRow = (id: number, change: (row: FactRow) => FactRow) => {
    setRows((current) => current.map((row) => (row.id === id ? change(row) : row)));
    setRowErrors((current) => {
      const next = new Map(current);
      next.delete(id);
      return next;
    });
  };

  const onRun = (values: Values) => {
    const now = Date.now();
    const facts: Record<string, unknown> = {};
    const errors = new Map<number, string[]>();
    for (const row of rows) {
      if (!row.field) continue;
      if (isFamily(row.field) && !validKey(row.key)) {
        errors.set(row.id, [t('routing.cond.errors.key')]);
        continue;
      }
      const value = factJson(row.value, now);
      if (value === undefined) {
        errors.set(row.id, [t('routing.simulate.incomplete')]);
        continue;
      }
      facts[fullFieldName(row.field, row.key)] = value;
    }
    setRowErrors(errors);
    if (errors.size > 0) return;
    simulate.mutate(
      { facts, contact_id: values.contact_id ?? null, priority: values.priority ?? null, tags: values.tags ?? [] },
      {
        onSuccess: (answer) => setResult({ answer, at: now }),
        onError: (error) => {
          if (isApiError(error) && error.code === 'not_found' && values.contact_id != null) {
            form.setFields([{ name: 'contact_id', errors: [t('routing.simulate.noContact')] }]);
            return;
          }
          if (!isApiError(error) || error.details.length === 0) {
            void message.error(describeError(t, error));
            return;
          }
          const placed = new Map<number, string[]>();
          let unplaced = false;
          for (const d of error.details) {
            const row = d.field.startsWith('facts.')
              ? rows.find((r) => r.field && fullFieldName(r.field, r.key) === d.field.slice('facts.'.length))
              : undefined;
            if (row) placed.set(row.id, [...(placed.get(row.id) ?? []), d.message]);
            else if (d.field === 'contact_id' || d.field === 'priority' || d.field === 'tags') {
              form.setFields([{ name: d.field, errors: [d.message] }]);
            } else unplaced = true;
          }
          setRowErrors(placed);
          if (unplaced) void message.error(describeError(t, error));
        },
      },
    );
  };

  return (
    <div className={styles.simulateGrid}>
      <Card title={t('routing.simulate.title')} size="small">
        <Typography.Paragraph type="secondary" className={styles.formHint}>
          {t('routing.simulate.description')}
        </Typography.Paragraph>
        <Form<Values> name="routing-simulate" form={form} layout="vertical" onFinish={onRun} disabled={simulate.isPending}>
          <Form.Item label={t('routing.simulate.facts')} required={false}>
            <div className={styles.factList}>
              {rows.map((row, index) => (
                <FactEditor
                  key={row.id}
                  row={row}
                  n={index + 1}
                  fields={catalogue}
                  errors={rowErrors.get(row.id) ?? []}
                  onChange={(change) => setRow(row.id, change)}
                  onRemove={() => setRows((current) => current.filter((r) => r.id !== row.id))}
                />
              ))}
              <Button
                type="dashed"
                size="small"
                icon={<PlusOutlined />}
                onClick={() => setRows((current) => [...current, newRow()])}
                disabled={fields.isPending}
              >
                {t('routing.simulate.addFact')}
              </Button>
            </div>
          </Form.Item>
          <Form.Item name="contact_id" label={t('routing.simulate.contactId')} extra={t('routing.simulate.contactIdHint')}>
            <InputNumber<number> min={1} precision={0} className={styles.numberInput} />
          </Form.Item>
          <Form.Item name="priority" label={t('routing.simulate.priority')}>
            <Select
              allowClear
              placeholder={t('inbox.priority.normal')}
              options={PRIORITIES.map((p) => ({ value: p, label: t(`inbox.priority.${p}`) }))}
            />
          </Form.Item>
          <Form.Item name="tags" label={t('routing.simulate.tags')} extra={t('routing.simulate.tagsHint')}>
            <Select<string[]> mode="tags" open={false} tokenSeparators={[',', '，']} placeholder={t('routing.cond.listPlaceholder')} />
          </Form.Item>
          <Button type="primary" htmlType="submit" icon={<ExperimentOutlined />} loading={simulate.isPending} block>
            {t('routing.simulate.run')}
          </Button>
        </Form>
      </Card>
      <Card title={t('routing.simulate.result')} size="small" className={styles.resultCard}>
        {result ? (
          <SimulateAnswer answer={result.answer} at={result.at} />
        ) : (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('routing.simulate.noResult')} />
        )}
      </Card>
    </div>
  );
}

function FactEditor({
  row,
  n,
  fields,
  errors,
  onChange,
  onRemove,
}: {
  row: FactRow;
  n: number;
  fields: readonly RoutingField[];
  errors: string[];
  onChange: (change: (row: FactRow) => FactRow) => void;
  onRemove: () => void;
}) {
  const { t } = useTranslation();
  const options = useFieldOptions(fields);
  const spec = fields.find((f) => f.name === row.field);
  const name = t('routing.simulate.fact', { n });
  return (
    <div role="group" aria-label={name} className={styles.fact}>
      <div className={styles.factRow}>
        <Select<string>
          value={row.field || undefined}
          onChange={(field) => {
            const kind = fields.find((f) => f.name === field)?.kind ?? 'text';
            onChange((r) => ({ ...r, field, key: '', value: emptyValue(factShape(kind)) }));
          }}
          options={options}
          optionRender={(option) => <FieldOption label={String(option.label)} value={String(option.value)} />}
          showSearch={{ optionFilterProp: ['label', 'value'] }}
          placeholder={t('routing.cond.field')}
          aria-label={t('routing.cond.fieldOf', { name })}
          popupMatchSelectWidth={false}
          virtual={false}
          className={styles.factField}
        />
        {isFamily(row.field) && (
          <Input
            value={row.key}
            onChange={(e) => onChange((r) => ({ ...r, key: e.target.value }))}
            placeholder={t('routing.cond.keyPlaceholder')}
            aria-label={t('routing.cond.keyOf', { name })}
            maxLength={64}
            className={styles.keyInput}
          />
        )}
        <Tooltip title={t('routing.cond.remove')}>
          <Button type="text" size="small" danger icon={<DeleteOutlined />} onClick={onRemove} aria-label={t('routing.cond.removeOf', { name })} />
        </Tooltip>
      </div>
      {row.field && (
        <div className={styles.factValue}>
          <ValueInput
            value={row.value}
            onChange={(value) => onChange((r) => ({ ...r, value }))}
            label={t('routing.cond.valueOf', { name })}
            typeSwitch={spec?.kind === 'any'}
            invalid={errors.length > 0}
            ago={spec?.kind === 'timestamp'}
          />
        </div>
      )}
      {errors.length > 0 && (
        <div className={styles.errorText} role="alert">
          {errors.join(t('routing.listSeparator'))}
        </div>
      )}
    </div>
  );
}

function SimulateAnswer({ answer, at }: { answer: SimulateResult; at: number }) {
  const { t } = useTranslation();
  const names = useDirectory();
  const trace = readTrace(answer.trace);
  const matched = trace.rules.find((r) => r.matched);
  const assigned = answer.outcome === 'assigned' && answer.agent_id != null;
  const facts = Object.entries(asObject(answer.facts)).sort(([a], [b]) => a.localeCompare(b));
  return (
    <div className={styles.answer}>
      <div className={`${styles.outcome} ${assigned ? styles.outcomeAssigned : styles.outcomeQueued}`} data-testid="simulate-outcome">
        <Tag color={assigned ? 'green' : 'orange'} variant="solid" className={styles.tightTag}>
          {t(`routing.outcome.${assigned ? 'assigned' : 'queued'}`)}
        </Tag>
        <Typography.Text strong className={styles.outcomeText}>
          {assigned
            ? t('routing.simulate.assignedTo', { name: names.agent(answer.agent_id ?? 0) })
            : t('routing.simulate.queuedIn', {
                team: answer.team_id != null ? names.team(answer.team_id) : t('routing.route.anyAgent'),
              })}
        </Typography.Text>
        <Typography.Text type="secondary" className={styles.small}>
          {matched ? t('routing.simulate.matchedRule', { name: matched.name }) : t('routing.simulate.defaultRoute')}
        </Typography.Text>
      </div>
      <TraceView trace={answer.trace} at={at} />
      <Collapse
        size="small"
        className={styles.factsSeen}
        items={[
          {
            key: 'facts',
            label: t('routing.simulate.seenFacts'),
            children:
              facts.length > 0 ? (
                <dl className={styles.traceLines}>
                  {facts.map(([key, value]) => (
                    <div key={key} className={styles.traceLine}>
                      <dt>
                        <code>{key}</code>
                      </dt>
                      <dd>{displayValue(value) || '—'}</dd>
                    </div>
                  ))}
                </dl>
              ) : (
                <Typography.Text type="secondary">{t('routing.simulate.noFacts')}</Typography.Text>
              ),
          },
        ]}
      />
    </div>
  );
}
