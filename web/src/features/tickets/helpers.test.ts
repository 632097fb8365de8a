import { describe, expect, it } from 'vitest';
import i18n from '../../i18n';
import { allowedMoves, readWorkflow } from './workflow';
import { customForApi, customForForm, readFieldDefs } from './customFields';
import { dataSummary, describeEntry, type Names } from './timeline';
import { conditionCategories, formToSpec, policyFormPath, specToForm } from './admin/policyForm';
import { formToWorkflow, workflowFormPath, workflowToForm } from './admin/WorkflowTab';
import { categoryFormPath } from './admin/CategoriesTab';
import { splitDates } from './admin/CalendarsTab';
import type { TimelineEntry } from '../../api/types';

const t = i18n.getFixedT('zh-CN');

const WORKFLOW = readWorkflow({
  states: [
    { key: 'new', name: '待分配', kind: 'new' },
    { key: 'open', name: '处理中', kind: 'open' },
    { key: 'resolved', name: '已解决', kind: 'resolved' },
    { key: 'closed', name: '已关闭', kind: 'closed' },
  ],
  transitions: { new: ['open', 'closed'], open: ['resolved'], resolved: ['open', 'closed'], closed: ['open'] },
});

describe('workflow', () => {
  it('offers only the moves the workflow allows from the current state, in state order', () => {
    expect(allowedMoves(WORKFLOW, 'new').map((s) => s.key)).toEqual(['open', 'closed']);
    expect(allowedMoves(WORKFLOW, 'resolved').map((s) => s.name)).toEqual(['处理中', '已关闭']);
    expect(allowedMoves(WORKFLOW, 'unknown')).toEqual([]);
  });

  it('round-trips through the editor form and maps transition errors onto the state they start from', () => {
    const values = workflowToForm(WORKFLOW);
    expect(values.states[1]).toEqual({ key: 'open', name: '处理中', kind: 'open', targets: ['resolved'] });
    expect(formToWorkflow(values)).toEqual(WORKFLOW);
    const toPath = workflowFormPath(values);
    expect(toPath('transitions.resolved[1]')).toEqual(['states', 2, 'targets']);
    expect(toPath('states[0].key')).toEqual(['states', 0, 'key']);
    expect(toPath('states')).toBeNull();
  });
});

describe('custom fields', () => {
  const defs = readFieldDefs([
    { key: 'amount', label: '金额', kind: 'number', required: true },
    { key: 'shipped', label: '已发货', kind: 'boolean' },
    { key: 'reason', label: '原因', kind: 'list', options: ['质量', '物流'] },
    { key: 'bought_on', label: '购买日期', kind: 'date' },
  ]);

  it('sends typed values and leaves empty ones out (or clears them on an update)', () => {
    expect(customForApi(defs, { amount: 12.5, shipped: false, reason: '', bought_on: '2026-11-11' })).toEqual({
      amount: 12.5,
      shipped: false,
      bought_on: '2026-11-11',
    });
    expect(customForApi(defs, { amount: 3 }, true)).toEqual({ amount: 3, shipped: null, reason: null, bought_on: null });
  });

  it('reads stored values back for the form and drops values of the wrong type', () => {
    expect(customForForm(defs, { amount: '12', shipped: true, reason: '物流', stray: 1 })).toEqual({ shipped: true, reason: '物流' });
  });
});

describe('timeline entries', () => {
  const names: Names = {
    user: (id) => (id === null ? '系统' : id === 1 ? '王芳' : `#${id}`),
    team: (id) => (id === 7 ? '售后' : '无部门'),
    state: (key) => WORKFLOW.states.find((s) => s.key === key)?.name ?? key,
    timeZone: 'Asia/Shanghai',
  };
  const entry = (kind: string, data: object, body: string | null = null, actor_id: number | null = 1): TimelineEntry =>
    ({ id: 1, kind, actor_id, body, data, created_at: '2026-11-21T05:00:00Z' }) as unknown as TimelineEntry;

  it('renders each known kind as a sentence with its reason', () => {
    expect(describeEntry(t, entry('status', { from: 'new', to: 'open' }, '开始处理'), names)).toMatchObject({
      summary: '王芳 将状态从「待分配」改为「处理中」',
      text: '开始处理',
    });
    expect(describeEntry(t, entry('transferred', { from_team_id: null, to_team_id: 7 }, '需要售后'), names).summary).toBe(
      '王芳 将工单从「无部门」转交到「售后」',
    );
    expect(describeEntry(t, entry('priority', { from: 'p3', to: 'p2' }, 'SLA escalation', null), names).summary).toBe(
      '系统 将优先级从 P3 普通 改为 P2 高',
    );
    expect(describeEntry(t, entry('note', {}, '内部'), names)).toMatchObject({ kind: 'note', tone: 'gold' });
    expect(describeEntry(t, entry('escalated', { metric: 'resolution', stage: 'breach', action: 'raise_priority' }, null, null), names).summary).toBe(
      'SLA 升级：解决超时，提升优先级',
    );
    expect(describeEntry(t, entry('sla_breach', { metric: 'first_response', due_at: Date.parse('2026-11-21T02:00:00Z') }, null, null), names).summary).toContain(
      'SLA 超时：首次响应',
    );
  });

  it('renders a kind from a later version generically, with its data, instead of failing', () => {
    const view = describeEntry(t, entry('notification_not_sent', { channel: 'sms', reason: 'quiet_hours', ids: [1, 2] }), names);
    expect(view.summary).toBe('王芳 · notification_not_sent');
    expect(view.text).toBe('channel: sms · reason: quiet_hours · ids: 1, 2');
    expect(dataSummary(null)).toBe('');
  });
});

describe('SLA policy form', () => {
  it('reads category conditions and keeps others for the API to own', () => {
    expect(conditionCategories({ all: [] })).toEqual([]);
    expect(conditionCategories({ all: [{ field: 'ticket.category', op: 'in', value: ['refund'] }] })).toEqual(['refund']);
    expect(conditionCategories({ any: [{ field: 'ticket.channel', op: 'eq', value: 'api' }] })).toBeNull();
  });

  it('builds the spec the API expects from the form', () => {
    const values = specToForm({ name: '标准', targets: { p1: { first_response_minutes: 30 } }, warn_fraction: 0.75 }, true);
    expect(values.warn_pct).toBe(75);
    values.categories = ['refund'];
    values.targets.p3 = { resolution_minutes: 480 };
    values.escalations = [{ on: 'breach', action: 'reassign_team', team_id: 4 }, { on: 'warning', metric: 'resolution', action: 'notify_supervisor', team_id: 9 }];
    expect(formToSpec(values, null)).toEqual({
      name: '标准',
      conditions: { all: [{ field: 'ticket.category', op: 'in', value: ['refund'] }] },
      targets: { p1: { first_response_minutes: 30 }, p3: { resolution_minutes: 480 } },
      warn_fraction: 0.75,
      dynamic_warning: false,
      escalations: [
        { on: 'breach', action: 'reassign_team', team_id: 4 },
        { on: 'warning', metric: 'resolution', action: 'notify_supervisor' },
      ],
    });
    const kept = { any: [] };
    expect(formToSpec(values, kept).conditions).toBe(kept);
  });

  it('puts API errors on their inputs', () => {
    expect(policyFormPath('targets.p2.first_response_minutes')).toEqual(['targets', 'p2', 'first_response_minutes']);
    expect(policyFormPath('targets.p2')).toEqual(['targets', 'p2', 'resolution_minutes']);
    expect(policyFormPath('warn_fraction')).toEqual(['warn_pct']);
    expect(policyFormPath('escalations[1].team_id')).toEqual(['escalations', 1, 'team_id']);
    expect(categoryFormPath('fields[2].options[0]')).toEqual(['fields', 2, 'options']);
  });
});

describe('holiday import', () => {
  it('accepts dates one a line or separated by commas', () => {
    expect(splitDates('2026-10-01\n2026-10-02, 2026-10-03，2026-10-04')).toEqual(['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04']);
    expect(splitDates(undefined)).toEqual([]);
  });
});
