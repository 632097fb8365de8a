import { Button, Card, Checkbox, Flex, Form, Input, Radio, Select, Switch, type FormInstance } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useTeams } from '../teams/queries';
import { useUsers } from '../users/queries';
import { TODO_COLOURS } from '../todos/TodoFormDrawer';
import { TODO_PRIORITIES } from '../todos/types';
import { ACTION_TYPES, CHAIN_OWNER_STRATEGIES, EVENTS, OWNER_STRATEGIES, TODO_VARIABLES, newTodoValues } from './ruleForm';

type Name = Array<string | number>;

function usePeople() {
  const users = useUsers();
  const teams = useTeams();
  return {
    users: (users.data ?? []).filter((u) => u.active).map((u) => ({ value: u.id, label: u.name })),
    teams: (teams.data ?? []).map((x) => ({ value: x.id, label: x.name })),
  };
}

/** Who gets the to-do or notice: a strategy, and the team or user it names. */
function OwnerFields({ name, abs, inChain, label }: { name: Name; abs: Name; inChain: boolean; label: string }) {
  const { t } = useTranslation();
  const form = Form.useFormInstance();
  const strategy = Form.useWatch([...abs, 'strategy'], form) as string | undefined;
  const people = usePeople();
  return (
    <Flex gap={8} wrap>
      <Form.Item name={[...name, 'strategy']} label={label} style={{ minWidth: 200 }}>
        <Select options={(inChain ? CHAIN_OWNER_STRATEGIES : OWNER_STRATEGIES).map((s) => ({ value: s, label: t(`automation.owner.${s}`) }))} />
      </Form.Item>
      {strategy === 'team_least_loaded' && (
        <Form.Item name={[...name, 'team_id']} label={t('automation.owner.team')} style={{ minWidth: 160 }}>
          <Select options={people.teams} />
        </Form.Item>
      )}
      {strategy === 'user' && (
        <Form.Item name={[...name, 'user_id']} label={t('automation.owner.user')} style={{ minWidth: 160 }}>
          <Select showSearch={{ optionFilterProp: 'label' }} options={people.users} />
        </Form.Item>
      )}
    </Flex>
  );
}

/** A to-do a rule or chain step creates. */
function TodoSpecFields({ name, abs, inChain }: { name: Name; abs: Name; inChain: boolean }) {
  const { t } = useTranslation();
  return (
    <>
      <Form.Item name={[...name, 'title']} label={t('automation.todo.title')} extra={t('automation.todo.variables', { vars: TODO_VARIABLES })}>
        <Input maxLength={200} />
      </Form.Item>
      <Form.Item name={[...name, 'note']} label={t('todos.form.note')}>
        <Input.TextArea autoSize={{ minRows: 1, maxRows: 4 }} />
      </Form.Item>
      <OwnerFields name={[...name, 'owner']} abs={[...abs, 'owner']} inChain={inChain} label={t('todos.form.owner')} />
      <Flex gap={8} wrap>
        <Form.Item name={[...name, 'priority']} label={t('todos.form.priority')} style={{ minWidth: 120 }}>
          <Select options={TODO_PRIORITIES.map((p) => ({ value: p, label: t(`todos.priority.${p}`) }))} />
        </Form.Item>
        <Form.Item name={[...name, 'due_in']} label={t('automation.todo.dueIn')} style={{ width: 120 }}>
          <Input placeholder="24h" />
        </Form.Item>
        <Form.Item name={[...name, 'remind_before']} label={t('automation.todo.remindBefore')} style={{ width: 120 }}>
          <Input placeholder="1h" />
        </Form.Item>
        <Form.Item name={[...name, 'colour']} label={t('todos.form.colour')} style={{ minWidth: 120 }}>
          <Select allowClear options={TODO_COLOURS.map((c) => ({ value: c, label: <span style={{ color: c }}>■ {c}</span> }))} />
        </Form.Item>
        {inChain && (
          <Form.Item name={[...name, 'waits']} label={t('automation.todo.waits')} valuePropName="checked">
            <Switch />
          </Form.Item>
        )}
      </Flex>
    </>
  );
}

/** The steps of a chain, each with its to-dos. */
function ChainFields({ name, abs }: { name: Name; abs: Name }) {
  const { t } = useTranslation();
  return (
    <Form.List name={[...name, 'steps']}>
      {(steps, { add, remove }, { errors }) => (
        <>
          {steps.map((step, si) => (
            <Card
              key={step.key}
              size="small"
              title={t('automation.chain.step', { n: si + 1 })}
              extra={<Button size="small" type="text" danger icon={<DeleteOutlined />} aria-label={t('automation.chain.removeStep')} onClick={() => remove(step.name)} />}
              style={{ marginBottom: 8 }}
            >
              <Form.List name={[step.name, 'todos']}>
                {(todos, todoOps) => (
                  <>
                    {todos.map((todo, ti) => (
                      <div key={todo.key} style={{ borderTop: ti ? '1px dashed #eee' : undefined, paddingTop: ti ? 8 : 0 }}>
                        <Flex justify="flex-end">
                          <Button size="small" type="text" danger onClick={() => todoOps.remove(todo.name)}>
                            {t('automation.chain.removeTodo')}
                          </Button>
                        </Flex>
                        <TodoSpecFields name={[todo.name]} abs={[...abs, 'steps', si, 'todos', ti]} inChain />
                      </div>
                    ))}
                    <Button size="small" icon={<PlusOutlined />} onClick={() => todoOps.add(newTodoValues())}>
                      {t('automation.chain.addTodo')}
                    </Button>
                  </>
                )}
              </Form.List>
            </Card>
          ))}
          <Form.ErrorList errors={errors} />
          <Button size="small" icon={<PlusOutlined />} onClick={() => add({ todos: [newTodoValues()] })}>
            {t('automation.chain.addStep')}
          </Button>
        </>
      )}
    </Form.List>
  );
}

function ActionFields({ index, field }: { index: number; field: { name: number } }) {
  const { t } = useTranslation();
  const form = Form.useFormInstance();
  const type = Form.useWatch(['actions', index, 'type'], form) as string | undefined;
  const people = usePeople();
  const abs: Name = ['actions', index];
  return (
    <>
      <Form.Item name={[field.name, 'type']} label={t('automation.action.type')}>
        <Select options={ACTION_TYPES.map((a) => ({ value: a, label: t(`automation.action.${a}`) }))} />
      </Form.Item>
      {type === 'create_todo' && <TodoSpecFields name={[field.name]} abs={abs} inChain={false} />}
      {type === 'add_tag' && (
        <Flex gap={8} wrap>
          <Form.Item name={[field.name, 'tag']} label={t('automation.action.tag')} style={{ flex: 1 }}>
            <Input maxLength={64} />
          </Form.Item>
          <Form.Item name={[field.name, 'target']} label={t('automation.action.target')}>
            <Radio.Group
              options={['conversation', 'contact'].map((x) => ({ value: x, label: t(`automation.action.targets.${x}`) }))}
            />
          </Form.Item>
        </Flex>
      )}
      {type === 'assign' && (
        <Flex gap={8} wrap>
          <Form.Item name={[field.name, 'user_id']} label={t('automation.owner.user')} style={{ minWidth: 160 }}>
            <Select allowClear options={people.users} />
          </Form.Item>
          <Form.Item name={[field.name, 'team_id']} label={t('automation.owner.team')} style={{ minWidth: 160 }}>
            <Select allowClear options={people.teams} />
          </Form.Item>
        </Flex>
      )}
      {type === 'notify' && (
        <>
          <Form.Item name={[field.name, 'message']} label={t('automation.action.message')}>
            <Input maxLength={200} />
          </Form.Item>
          <OwnerFields name={[field.name, 'to']} abs={[...abs, 'to']} inChain={false} label={t('automation.action.to')} />
        </>
      )}
      {type === 'chain' && <ChainFields name={[field.name]} abs={abs} />}
    </>
  );
}

/** The rule's actions, one card each. */
export function ActionsFields() {
  const { t } = useTranslation();
  return (
    <Form.List name="actions">
      {(fields, { add, remove }) => (
        <>
          {fields.map((field, i) => (
            <Card
              key={field.key}
              size="small"
              title={t('automation.action.n', { n: i + 1 })}
              style={{ marginBottom: 12 }}
              extra={<Button size="small" type="text" danger icon={<DeleteOutlined />} aria-label={t('automation.action.remove')} onClick={() => remove(field.name)} />}
            >
              <ActionFields index={i} field={field} />
            </Card>
          ))}
          <Button icon={<PlusOutlined />} onClick={() => add({ type: 'create_todo', ...newTodoValues() })}>
            {t('automation.action.add')}
          </Button>
        </>
      )}
    </Form.List>
  );
}

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];

/** Trigger kind and its fields: the event (button, tag, SLA deadline…) with its wait, a scan, a time. */
export function TriggerFields({ form, timeZone }: { form: FormInstance; timeZone: string }) {
  const { t } = useTranslation();
  const kind = Form.useWatch(['trigger', 'kind'], form) as string | undefined;
  const event = Form.useWatch(['trigger', 'event'], form) as string | undefined;
  const wait = Form.useWatch(['trigger', 'wait'], form) as string | undefined;
  return (
    <>
      <Form.Item name={['trigger', 'kind']} label={t('automation.trigger.kind')}>
        <Radio.Group
          optionType="button"
          options={(['event', 'scan', 'at'] as const).map((k) => ({ value: k, label: t(`automation.trigger.kinds.${k}`) }))}
        />
      </Form.Item>
      {kind === 'event' && (
        <>
          <Flex gap={8} wrap>
            <Form.Item name={['trigger', 'event']} label={t('automation.trigger.event')} style={{ minWidth: 220 }}>
              <Select options={EVENTS.map((e) => ({ value: e, label: t(`automation.events.${e.replace('.', '_')}`) }))} />
            </Form.Item>
            {(event === 'button' || event === 'conversation.tagged' || event === 'ticket.status_changed') && (
              <Form.Item
                name={['trigger', 'key']}
                label={t(`automation.trigger.key.${event === 'button' ? 'button' : event === 'conversation.tagged' ? 'tag' : 'status'}`)}
                style={{ flex: 1, minWidth: 160 }}
              >
                <Input maxLength={64} placeholder={event === 'button' ? 'needs_follow_up' : undefined} />
              </Form.Item>
            )}
            {event === 'ticket.sla_due' && (
              <Form.Item name={['trigger', 'before']} label={t('automation.trigger.before')} style={{ width: 140 }}>
                <Input placeholder="30m" />
              </Form.Item>
            )}
          </Flex>
          {event !== 'button' && (
            <>
              <Form.Item name={['trigger', 'wait']} label={t('automation.trigger.wait')}>
                <Radio.Group options={(['now', 'after', 'next'] as const).map((w) => ({ value: w, label: t(`automation.trigger.waits.${w}`) }))} />
              </Form.Item>
              {wait === 'after' && (
                <Form.Item name={['trigger', 'after']} label={t('automation.trigger.after')} style={{ width: 160 }}>
                  <Input placeholder="24h" />
                </Form.Item>
              )}
              {wait === 'next' && (
                <Flex gap={8} wrap align="flex-start">
                  <Form.Item name={['trigger', 'next', 'weekdays']} label={t('automation.trigger.weekdays')}>
                    <Checkbox.Group options={WEEKDAYS.map((d) => ({ value: d, label: t(`automation.weekday.${d}`) }))} />
                  </Form.Item>
                  <Form.Item name={['trigger', 'next', 'time']} label={t('automation.trigger.time', { zone: timeZone })} style={{ width: 140 }}>
                    <Input type="time" />
                  </Form.Item>
                  <Form.Item name={['trigger', 'next', 'working_days']} label={t('automation.trigger.workingDays')} valuePropName="checked">
                    <Switch />
                  </Form.Item>
                </Flex>
              )}
            </>
          )}
        </>
      )}
      {kind === 'scan' && (
        <Form.Item name={['trigger', 'every']} label={t('automation.trigger.every')} extra={t('automation.trigger.everyHint')} style={{ maxWidth: 260 }}>
          <Input placeholder="1h" aria-label={t('automation.trigger.every')} />
        </Form.Item>
      )}
      {kind === 'at' && (
        <Form.Item name={['trigger', 'at']} label={t('automation.trigger.at', { zone: timeZone })} style={{ maxWidth: 260 }}>
          <Input type="datetime-local" />
        </Form.Item>
      )}
    </>
  );
}

