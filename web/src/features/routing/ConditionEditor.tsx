import { createContext, useContext, useMemo } from 'react';
import { Button, Checkbox, Flex, Input, Radio, Select, Tooltip, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined, PlusSquareOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { RoutingField } from '../../api/types';
import {
  addChild,
  errorsOf,
  fieldLabel,
  isFamily,
  newGroup,
  newTest,
  nodePaths,
  opLabel,
  removeNode,
  updateNode,
  withField,
  withOp,
  type ConditionNode,
  type GroupNode,
  type PathErrors,
  type TestNode,
} from './conditions';
import { ValueInput } from './ValueInput';
import styles from './Routing.module.css';

/** How a change came about: one node edited (its errors go), or nodes added or removed (paths move). */
export type ConditionChange = { edited: string } | { structural: true };

type Editing = {
  fields: readonly RoutingField[];
  errors: PathErrors;
  paths: Map<string, { outer: string; inner: string }>;
  disabled: boolean;
  update: (id: string, change: (node: ConditionNode) => ConditionNode) => void;
  remove: (id: string) => void;
  add: (groupId: string, child: ConditionNode) => void;
};

const EditingContext = createContext<Editing | null>(null);

function useEditing(): Editing {
  const editing = useContext(EditingContext);
  if (!editing) throw new Error('outside ConditionEditor');
  return editing;
}

/** The options of the field picker: translated names, with the field's own name beside. */
export function useFieldOptions(fields: readonly RoutingField[]) {
  const { t } = useTranslation();
  return useMemo(
    () => fields.map((f) => ({ value: f.name, label: fieldLabel(t, f.name, f.label) })),
    [fields, t],
  );
}

export function FieldOption({ label, value }: { label: string; value: string }) {
  return (
    <span className={styles.fieldOption}>
      <span>{label}</span>
      <code>{value}</code>
    </span>
  );
}

/**
 * The structured editor of a rule's condition tree: groups (all / any, negated or not) holding
 * tests (field, operator, value) and further groups. `errors` are keyed by JSON path
 * (`conditions.all[1].value`) and shown beside the node they name.
 */
export function ConditionEditor({
  value,
  onChange,
  fields,
  errors = new Map(),
  disabled = false,
}: {
  value: GroupNode;
  onChange: (value: GroupNode, change: ConditionChange) => void;
  fields: readonly RoutingField[];
  errors?: PathErrors;
  disabled?: boolean;
}) {
  const editing: Editing = {
    fields,
    errors,
    paths: nodePaths(value),
    disabled,
    update: (id, change) => onChange(updateNode(value, id, change), { edited: id }),
    remove: (id) => onChange(removeNode(value, id), { structural: true }),
    add: (groupId, child) => onChange(addChild(value, groupId, child), { structural: true }),
  };
  return (
    <EditingContext.Provider value={editing}>
      <GroupEditor node={value} number="" />
    </EditingContext.Provider>
  );
}

function ErrorText({ messages }: { messages: string[] }) {
  if (messages.length === 0) return null;
  return (
    <div className={styles.errorText} role="alert">
      {messages.map((m, i) => (
        <div key={i}>{m}</div>
      ))}
    </div>
  );
}

function GroupEditor({ node, number }: { node: GroupNode; number: string }) {
  const { t } = useTranslation();
  const { errors, paths, disabled, update, remove, add } = useEditing();
  const root = number === '';
  const name = root ? t('routing.cond.root') : t('routing.cond.group', { n: number });
  const path = paths.get(node.id);
  const messages = path ? errorsOf(errors, path, true) : [];
  const childNumber = (i: number) => (root ? String(i + 1) : `${number}.${i + 1}`);

  return (
    <div
      role="group"
      aria-label={name}
      className={`${styles.group} ${root ? styles.groupRoot : ''} ${messages.length > 0 ? styles.invalid : ''}`}
    >
      <div className={styles.groupHead}>
        {!root && <span className={styles.groupName}>{name}</span>}
        <Radio.Group
          size="small"
          optionType="button"
          buttonStyle="solid"
          value={node.mode}
          disabled={disabled}
          onChange={(e) => update(node.id, (n) => ({ ...n, mode: e.target.value as 'all' | 'any' }))}
          options={[
            { value: 'all', label: t('routing.cond.all') },
            { value: 'any', label: t('routing.cond.any') },
          ]}
          aria-label={t('routing.cond.modeOf', { name })}
        />
        <Checkbox
          checked={node.negate}
          disabled={disabled}
          onChange={(e) => update(node.id, (n) => ({ ...n, negate: e.target.checked }))}
          aria-label={t('routing.cond.notOf', { name })}
        >
          {t('routing.cond.not')}
        </Checkbox>
        {!root && (
          <Tooltip title={t('routing.cond.remove')}>
            <Button
              type="text"
              size="small"
              danger
              icon={<DeleteOutlined />}
              disabled={disabled}
              onClick={() => remove(node.id)}
              aria-label={t('routing.cond.removeOf', { name })}
              className={styles.pushRight}
            />
          </Tooltip>
        )}
      </div>
      <ErrorText messages={messages} />
      {node.children.length === 0 && root && (
        <Typography.Text type="secondary" className={styles.small}>
          {t('routing.cond.empty')}
        </Typography.Text>
      )}
      {node.children.length > 0 && (
        <div className={styles.groupChildren}>
          {node.children.map((child, i) =>
            child.type === 'group' ? (
              <GroupEditor key={child.id} node={child} number={childNumber(i)} />
            ) : (
              <TestEditor key={child.id} node={child} number={childNumber(i)} />
            ),
          )}
        </div>
      )}
      {!disabled && (
        <Flex gap={8} wrap className={styles.groupActions}>
          <Button
            size="small"
            type="dashed"
            icon={<PlusOutlined />}
            onClick={() => add(node.id, newTest())}
            aria-label={root ? t('routing.cond.addTest') : t('routing.cond.addTestTo', { name })}
          >
            {t('routing.cond.addTest')}
          </Button>
          <Button
            size="small"
            type="dashed"
            icon={<PlusSquareOutlined />}
            onClick={() => add(node.id, newGroup(node.mode === 'all' ? 'any' : 'all'))}
            aria-label={root ? t('routing.cond.addGroup') : t('routing.cond.addGroupTo', { name })}
          >
            {t('routing.cond.addGroup')}
          </Button>
        </Flex>
      )}
    </div>
  );
}

function TestEditor({ node, number }: { node: TestNode; number: string }) {
  const { t } = useTranslation();
  const { fields, errors, paths, disabled, update, remove } = useEditing();
  const options = useFieldOptions(fields);
  const name = t('routing.cond.test', { n: number });
  const path = paths.get(node.id);
  const messages = path ? errorsOf(errors, path, false) : [];
  const spec = fields.find((f) => f.name === node.field);
  const ops = spec?.ops ?? (node.op ? [node.op] : []);
  const edit = (change: (n: TestNode) => TestNode) => update(node.id, (n) => (n.type === 'test' ? change(n) : n));

  return (
    <div role="group" aria-label={name} className={`${styles.test} ${messages.length > 0 ? styles.invalid : ''}`}>
      <div className={styles.testRow}>
        <Checkbox
          checked={node.negate}
          disabled={disabled}
          onChange={(e) => edit((n) => ({ ...n, negate: e.target.checked }))}
          aria-label={t('routing.cond.notOf', { name })}
          className={styles.notBox}
        >
          {t('routing.cond.not')}
        </Checkbox>
        <Select<string>
          value={node.field || undefined}
          onChange={(field) => edit((n) => withField(n, field, fields))}
          options={options}
          optionRender={(option) => <FieldOption label={String(option.label)} value={String(option.value)} />}
          showSearch={{ optionFilterProp: ['label', 'value'] }}
          placeholder={t('routing.cond.field')}
          aria-label={t('routing.cond.fieldOf', { name })}
          popupMatchSelectWidth={false}
          virtual={false}
          disabled={disabled}
          status={messages.length > 0 && !node.field ? 'error' : undefined}
          className={styles.fieldSelect}
        />
        {isFamily(node.field) && (
          <Input
            value={node.key}
            onChange={(e) => edit((n) => ({ ...n, key: e.target.value }))}
            placeholder={t('routing.cond.keyPlaceholder')}
            aria-label={t('routing.cond.keyOf', { name })}
            prefix={<span className={styles.keyPrefix}>{node.field.slice(0, -1)}</span>}
            disabled={disabled}
            maxLength={64}
            className={styles.keyInput}
          />
        )}
        <Select<string>
          value={node.op || undefined}
          onChange={(op) => edit((n) => withOp(n, op, fields))}
          options={ops.map((op) => ({ value: op, label: opLabel(t, op) }))}
          placeholder={t('routing.cond.op')}
          aria-label={t('routing.cond.opOf', { name })}
          popupMatchSelectWidth={false}
          virtual={false}
          disabled={disabled || !node.field}
          className={styles.opSelect}
        />
        <div className={styles.valueBox}>
          <ValueInput
            value={node.value}
            onChange={(value) => edit((n) => ({ ...n, value }))}
            label={t('routing.cond.valueOf', { name })}
            typeSwitch={spec?.kind === 'any'}
            invalid={messages.length > 0}
            disabled={disabled}
          />
        </div>
        {!disabled && (
          <Tooltip title={t('routing.cond.remove')}>
            <Button
              type="text"
              size="small"
              danger
              icon={<DeleteOutlined />}
              onClick={() => remove(node.id)}
              aria-label={t('routing.cond.removeOf', { name })}
            />
          </Tooltip>
        )}
      </div>
      <ErrorText messages={messages} />
    </div>
  );
}
