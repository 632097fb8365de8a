import { describe, expect, it } from 'vitest';
import { durationText, newRuleValues, ruleBody, ruleFormPath, ruleValues } from './ruleForm';
import type { AutomationRule } from '../todos/types';

describe('ruleFormPath', () => {
  it('maps API error paths onto the form', () => {
    expect(ruleFormPath('trigger.every')).toEqual(['trigger', 'every']);
    expect(ruleFormPath('actions[1].owner.team_id')).toEqual(['actions', 1, 'owner', 'team_id']);
    expect(ruleFormPath('actions[0]')).toEqual(['actions', 0, 'type']);
    expect(ruleFormPath('actions[0].steps[1].todos[0].title')).toEqual(['actions', 0, 'steps', 1, 'todos', 0, 'title']);
    expect(ruleFormPath('trigger.next.time')).toEqual(['trigger', 'next', 'time']);
    expect(ruleFormPath('conditions.all[0].value')).toBeNull();
    expect(ruleFormPath('actions')).toBeNull();
  });
});

describe('rule body', () => {
  it('builds an event rule that waits until the next weekday and time', () => {
    const v = newRuleValues();
    v.name = ' 回访 ';
    v.trigger = { kind: 'event', event: 'conversation.tagged', key: '未决', wait: 'next', next: { weekdays: [1], time: '09:00', working_days: true } };
    v.actions = [{ type: 'create_todo', title: '回访 {{contact.name}}', owner: { strategy: 'team_least_loaded', team_id: 3 }, priority: 'high', due_in: '24h', remind_before: '3600' }];
    expect(ruleBody(v, 'Asia/Shanghai')).toEqual({
      name: '回访',
      goal: '',
      priority: 0,
      active: true,
      limit_days: null,
      trigger: { kind: 'event', event: 'conversation.tagged', key: '未决', next: { weekdays: [1], time: '09:00', working_days: true } },
      actions: [
        {
          type: 'create_todo',
          title: '回访 {{contact.name}}',
          note: '',
          owner: { strategy: 'team_least_loaded', team_id: 3 },
          priority: 'high',
          due_in: '24h',
          remind_before: 3600,
        },
      ],
    });
  });

  it('reads a stored rule back into the form', () => {
    const rule = {
      id: 1,
      name: 'x',
      goal: 'g',
      priority: 2,
      active: false,
      limit_days: 7,
      trigger: { kind: 'scan', every: 3600 },
      conditions: {},
      actions: [{ type: 'chain', steps: [{ todos: [{ title: 'a', owner: { strategy: 'chain_origin' }, priority: 'normal', due_in: 86400, waits: true }] }] }],
      created_at: 0,
      updated_at: 0,
      stats: { generated: 0, open: 0, completed: 0, completed_late: 0, ignored: 0, cancelled: 0, suggestions: [] },
    } as unknown as AutomationRule;
    const v = ruleValues(rule, 'Asia/Shanghai');
    expect(v.trigger.every).toBe('1h');
    expect(v.actions[0].steps?.[0].todos[0]).toMatchObject({ title: 'a', due_in: '1d', waits: true, owner: { strategy: 'chain_origin' } });
    expect(durationText(90)).toBe('90s');
  });
});
