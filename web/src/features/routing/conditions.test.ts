import { describe, expect, it } from 'vitest';
import i18n from '../../i18n';
import {
  checkTree,
  errorsOf,
  fromJson,
  nodePaths,
  summarize,
  toJson,
  unclaimedErrors,
  withField,
  withOp,
  type TestNode,
} from './conditions';
import { movePlan, routeFormPath } from './routeForm';
import { explainNote, readTrace } from './trace';
import { FIELDS } from '../../test/routingFields';
import type { RoutingRule } from '../../api/types';

const t = i18n.getFixedT('zh-CN');

describe('condition trees', () => {
  it('reads stored conditions and writes them back the same', () => {
    const stored = {
      all: [
        { field: 'entry.campaign', op: 'in', value: ['双11', '618'] },
        { not: { any: [{ field: 'contact.tags', op: 'contains', value: 'vip' }, { field: 'contact.custom.paid', op: 'eq', value: true }] } },
        { field: 'contact.custom.spend', op: 'gt', value: 1000 },
        { field: 'contact.returning', op: 'eq', value: false },
        { field: 'time.local', op: 'between', value: ['09:00', '18:00'] },
        { field: 'contact.email', op: 'present' },
      ],
    };
    const tree = fromJson(stored, FIELDS);
    const family = tree.children[2] as TestNode;
    expect(family.field).toBe('contact.custom.*');
    expect(family.key).toBe('spend');
    expect(toJson(tree)).toEqual(stored);
    // A double negation keeps its meaning through a group that holds the inner one.
    const twice = { not: { not: { field: 'contact.conversations', op: 'gte', value: 2 } } };
    expect(toJson(fromJson(twice, FIELDS))).toEqual({ not: { all: [{ not: { field: 'contact.conversations', op: 'gte', value: 2 } }] } });
  });

  it('writes durations with their unit, reading the seconds the server stores', () => {
    const tree = fromJson({ all: [{ field: 'contact.last_active_at', op: 'within_last', value: 2_592_000 }] }, FIELDS);
    expect(toJson(tree)).toEqual({ all: [{ field: 'contact.last_active_at', op: 'within_last', value: '30d' }] });
    const hours = fromJson({ field: 'contact.last_active_at', op: 'not_within_last', value: '12h' }, FIELDS);
    expect(toJson(hours)).toEqual({ all: [{ field: 'contact.last_active_at', op: 'not_within_last', value: '12h' }] });
  });

  it('keeps the value while the operator keeps its shape, and resets it otherwise', () => {
    const [test] = fromJson({ all: [{ field: 'entry.campaign', op: 'eq', value: '双11' }] }, FIELDS).children as TestNode[];
    expect(toJson(withOp(test, 'ne', FIELDS))).toEqual({ field: 'entry.campaign', op: 'ne', value: '双11' });
    expect(toJson(withOp(test, 'in', FIELDS))).toEqual({ field: 'entry.campaign', op: 'in', value: [] });
    expect(toJson(withOp(test, 'present', FIELDS))).toEqual({ field: 'entry.campaign', op: 'present' });
    expect(toJson(withField(test, 'contact.conversations', FIELDS))).toEqual({ field: 'contact.conversations', op: 'eq', value: null });
  });

  it('finds the node an error path names, negated or not', () => {
    const tree = fromJson(
      { all: [{ field: 'entry.campaign', op: 'eq', value: 'x' }, { not: { any: [{ field: 'contact.tags', op: 'contains_any', value: [] }] } }] },
      FIELDS,
    );
    const paths = nodePaths(tree);
    const group = tree.children[1];
    const inner = (group.type === 'group' ? group.children[0] : group) as TestNode;
    expect(paths.get(group.id)).toEqual({ outer: 'conditions.all[1]', inner: 'conditions.all[1].not' });
    expect(paths.get(inner.id)?.inner).toBe('conditions.all[1].not.any[0]');
    const errors = new Map([
      ['conditions.all[1].not.any[0].value', ['must be a list of 1–200 texts']],
      ['conditions.all[0].op', ['bad op']],
      ['conditions.all[7].value', ['lost']],
    ]);
    const path = paths.get(inner.id);
    expect(path && errorsOf(errors, path, false)).toEqual(['must be a list of 1–200 texts']);
    const first = paths.get(tree.children[0].id);
    expect(first && errorsOf(errors, first, false)).toEqual(['bad op']);
    expect(unclaimedErrors(errors, tree)).toEqual(['conditions.all[7].value']);
  });

  it('checks what can be checked before saving', () => {
    const tree = fromJson(
      {
        all: [
          { field: 'entry.campaign', op: 'in', value: [] },
          { field: 'contact.custom.*', op: 'eq', value: 'x' },
          { any: [] },
          { field: 'time.local', op: 'between', value: ['9:00', '18:00'] },
        ],
      },
      FIELDS,
    );
    expect([...checkTree(t, tree).keys()]).toEqual([
      'conditions.all[0].value',
      'conditions.all[1].field',
      'conditions.all[2].any',
      'conditions.all[3].value',
    ]);
  });

  it('summarises conditions in words', () => {
    const text = summarize(
      t,
      { all: [{ field: 'entry.campaign', op: 'eq', value: '双11' }, { any: [{ field: 'contact.tags', op: 'contains', value: 'vip' }, { field: 'contact.custom.paid', op: 'eq', value: true }] }] },
      FIELDS,
    );
    expect(text).toBe('入口活动 等于 “双11” 且 （客户标签 包含 “vip” 或 自定义属性 paid 等于 是）');
    expect(summarize(t, { all: [] }, FIELDS)).toBe('所有会话');
  });
});

describe('routes and rules', () => {
  const rule = (id: number, position: number) => ({ id, position, name: `r${id}` }) as RoutingRule;

  it('swaps positions to move a rule, or numbers them afresh when they are shared', () => {
    expect(movePlan([rule(1, 1), rule(2, 2), rule(3, 3)], 1, -1).map(({ rule: r, position }) => [r.id, position])).toEqual([
      [2, 1],
      [1, 2],
    ]);
    // Rule 2 already has position 1: only the others are saved again.
    expect(movePlan([rule(1, 1), rule(2, 1), rule(3, 1)], 0, 1).map(({ rule: r, position }) => [r.id, position])).toEqual([
      [1, 2],
      [3, 3],
    ]);
    expect(movePlan([rule(1, 1)], 0, 1)).toEqual([]);
  });

  it('puts route errors on their field', () => {
    expect(routeFormPath('route', 'route.teams[0]')).toEqual(['route', 'teams']);
    expect(routeFormPath('route', 'route.skills[1].min')).toEqual(['route', 'skills', 1, 'min']);
    expect(routeFormPath('default_route', 'default_route.agent_id')).toEqual(['default_route', 'agent_id']);
    expect(routeFormPath('route', 'route.nope')).toBeNull();
    expect(routeFormPath('route', 'conditions.all[0]')).toBeNull();
  });
});

describe('traces', () => {
  const names = { agent: (id: number) => `客服${id}`, team: (id: number) => `团队${id}` };

  it('puts the server notes into words, and leaves unknown ones as they are', () => {
    expect(explainNote(t, 'agent 3 who served the contact is at capacity', names)).toBe('上次接待的 客服3 当前不可分配：已达接待上限');
    expect(explainNote(t, 'equal score; agent 4 has the lower load', names)).toBe('得分相同，客服4 的负载更低');
    expect(explainNote(t, 'waited 31 s in the queue', names)).toBe('在队列中等待了 31 秒');
    expect(explainNote(t, 'waited 125 s in team 2 (overflow after 120 s) → team 5', names)).toBe(
      '在 团队2 等待了 2 分钟 5 秒（超过 2 分钟 溢出）→ 团队5',
    );
    expect(explainNote(t, 'something new', names)).toBe('something new');
  });

  it('reads the route of a trace with its priority level', () => {
    const trace = readTrace({
      rules: [],
      route: { rule_id: null, teams: [2], agent: 9, skills: [{ name: 'billing', min: 3 }], strategy: 'least_load', priority: 2, tags: [], offline_notice: null, sticky: true },
      sticky: null,
      dedicated: null,
      candidates: [],
      outcome: { kind: 'queued', team_id: 2 },
      tie_break: null,
    });
    expect(trace.route).toMatchObject({ ruleId: null, teams: [2], agentId: 9, priority: 'high', strategy: 'least_load' });
    expect(trace.outcome).toEqual({ kind: 'queued', agentId: null, teamId: 2 });
  });
});
