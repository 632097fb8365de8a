import { describe, expect, it } from 'vitest';
import i18n from '../../i18n';
import zhCN from '../../i18n/zh-CN.json';
import en from '../../i18n/en.json';
import { AUDIT_AREAS, AUDIT_KINDS, describeAction, describeActor, describeEntry, describeTarget, parseWhat, type AuditEntry } from './describe';

const zh = i18n.getFixedT('zh-CN');
const english = i18n.getFixedT('en');

function entry(overrides: Partial<AuditEntry>): AuditEntry {
  return {
    seq: 1,
    at: '2026-11-22T06:43:29Z',
    actor_id: 1,
    actor_name: '王芳',
    kind: 'user_created',
    subject: 'user:2',
    subject_name: '李雷',
    member_name: null,
    details: {},
    ...overrides,
  };
}

const setting = (area: string, action: string, overrides: Partial<AuditEntry> = {}) =>
  entry({ kind: 'setting_changed', subject: `${area}:7`, subject_name: 'VIP', details: { area, action, id: 7, name: 'VIP' }, ...overrides });

describe('describeAction', () => {
  it.each([
    [entry({ kind: 'user_created', details: { user_id: 2, role: 'agent' } }), '添加了成员', 'Added the user'],
    [
      entry({ kind: 'user_updated', details: { user_id: 2, fields: ['role', 'locale'] } }),
      '修改了成员（角色、语言）',
      'Changed the user (role, language)',
    ],
    [entry({ kind: 'user_deactivated', details: { user_id: 2 } }), '停用了成员', 'Deactivated the user'],
    [entry({ kind: 'user_reactivated', details: { user_id: 2 } }), '重新启用了成员', 'Reactivated the user'],
    [entry({ kind: 'team_created', subject: 'team:3', details: { team_id: 3 } }), '创建了团队', 'Created the team'],
    [
      entry({ kind: 'team_updated', subject: 'team:3', details: { team_id: 3, fields: ['name', 'description'] } }),
      '修改了团队（名称、描述）',
      'Changed the team (name, description)',
    ],
    [entry({ kind: 'team_deleted', subject: 'team:3', details: { team_id: 3 } }), '删除了团队', 'Deleted the team'],
    [
      entry({ kind: 'team_member_added', subject: 'team:3', member_name: '李雷', details: { team_id: 3, user_id: 2 } }),
      '把 李雷 加入了团队',
      'Added 李雷 to the team',
    ],
    [
      entry({ kind: 'team_member_removed', subject: 'team:3', member_name: 'Han Meimei', details: { team_id: 3, user_id: 4 } }),
      '把 Han Meimei 移出了团队',
      'Removed Han Meimei from the team',
    ],
    [entry({ kind: 'channel_created', subject: 'channel:5', details: { channel_id: 5 } }), '创建了渠道', 'Created the channel'],
    [entry({ kind: 'channel_updated', subject: 'channel:5', details: { channel_id: 5 } }), '修改了渠道', 'Changed the channel'],
    [
      entry({ kind: 'routing_rule_changed', subject: 'routing_rule:8', details: { rule_id: 8, change: 'created' } }),
      '新建了路由规则',
      'Created the routing rule',
    ],
    [
      entry({ kind: 'routing_rule_changed', subject: 'routing_rule:8', details: { rule_id: 8, change: 'updated' } }),
      '修改了路由规则',
      'Changed the routing rule',
    ],
    [
      entry({ kind: 'routing_rule_changed', subject: 'routing_rule:8', details: { rule_id: 8, change: 'deleted' } }),
      '删除了路由规则',
      'Deleted the routing rule',
    ],
    [setting('canned_response', 'created'), '新建了快捷回复', 'Created the canned response'],
    [setting('canned_response', 'deleted'), '删除了快捷回复', 'Deleted the canned response'],
    [setting('sla_policy', 'updated'), '修改了 SLA 策略', 'Changed the SLA policy'],
    [setting('routing_settings', 'updated', { subject: 'routing_settings', subject_name: null }), '修改了路由设置', 'Changed the routing settings'],
    [setting('contact_import', 'run', { subject: 'contact_import', subject_name: null }), '导入了联系人', 'Imported contacts'],
    [
      setting('sla_thresholds', 'run', { subject: 'sla_thresholds', subject_name: null }),
      '重新计算了 SLA 预警阈值',
      'Recalculated the SLA thresholds',
    ],
    [setting('timer', 'run', { subject_name: 'sla_due' }), '重新执行了定时任务', 'Re-ran the timer'],
  ])('%#: describes %o', (item, chinese, inEnglish) => {
    expect(describeAction(zh, item)).toBe(chinese);
    expect(describeAction(english, item)).toBe(inEnglish);
  });

  it('has words for every kind, and for every action on every setting area', () => {
    for (const kind of AUDIT_KINDS) {
      for (const t of [zh, english]) {
        const text = describeAction(t, entry({ kind, details: { area: 'calendar', action: 'updated', change: 'updated' } }));
        expect(text).not.toMatch(/audit\.|undefined|\{\{/);
      }
    }
    for (const area of AUDIT_AREAS) {
      for (const action of ['created', 'updated', 'deleted', 'run']) {
        for (const t of [zh, english]) {
          const text = describeAction(t, setting(area, action));
          expect(text).not.toMatch(/audit\.|undefined|\{\{|_/);
        }
      }
    }
  });

  it('leaves out the field list when no fields were recorded, and names unknown fields as recorded', () => {
    expect(describeAction(zh, entry({ kind: 'user_updated', details: { user_id: 2 } }))).toBe('修改了成员');
    expect(describeAction(zh, entry({ kind: 'user_updated', details: { fields: [] } }))).toBe('修改了成员');
    expect(describeAction(zh, entry({ kind: 'user_updated', details: { fields: ['password', 'avatar'] } }))).toBe(
      '修改了成员（密码、avatar）',
    );
    expect(describeAction(english, entry({ kind: 'user_updated', details: { fields: ['x.y:z'] } }))).toBe('Changed the user (x.y:z)');
  });

  it('falls back to readable words for what it does not know, without throwing', () => {
    expect(describeAction(zh, entry({ kind: 'spaceship_launched' }))).toBe('执行了操作“spaceship_launched”');
    expect(describeAction(english, entry({ kind: 'spaceship_launched' }))).toBe('Did “spaceship_launched”');
    expect(describeAction(zh, setting('warp_drive', 'updated'))).toBe('修改了设置“warp_drive”');
    expect(describeAction(english, setting('warp_drive', 'deleted'))).toBe('Deleted the setting “warp_drive”');
    expect(describeAction(zh, setting('canned_response', 'archived'))).toBe('更改了快捷回复');
    expect(describeAction(zh, entry({ kind: 'setting_changed', details: {} }))).toBe('更改了设置');
    expect(describeAction(zh, entry({ kind: 'setting_changed', details: null }))).toBe('更改了设置');
    expect(describeAction(english, entry({ kind: 'setting_changed', details: ['odd'] }))).toBe('Changed a setting');
    expect(describeAction(zh, entry({ kind: 'routing_rule_changed', details: { change: 'moved' } }))).toBe('更改了路由规则');
    // A team change without the member's name names them by number.
    expect(
      describeAction(zh, entry({ kind: 'team_member_added', member_name: null, details: { team_id: 3, user_id: 9 } })),
    ).toBe('把 成员 #9 加入了团队');
    expect(describeAction(english, entry({ kind: 'team_member_removed', member_name: null, details: {} }))).toBe(
      'Removed someone from the team',
    );
  });
});

describe('describeActor', () => {
  it('names the person, or the system for changes nobody signed in made', () => {
    expect(describeActor(zh, entry({ actor_id: 1, actor_name: '王芳' }))).toBe('王芳');
    expect(describeActor(zh, entry({ actor_id: null, actor_name: null }))).toBe('系统');
    expect(describeActor(english, entry({ actor_id: undefined, actor_name: undefined }))).toBe('System');
    expect(describeActor(english, entry({ actor_id: 6, actor_name: null }))).toBe('User #6');
  });
});

describe('describeTarget', () => {
  it('names the subject, else its kind and number', () => {
    expect(describeTarget(zh, entry({ subject: 'team:3', subject_name: '售后组' }))).toBe('售后组');
    expect(describeTarget(zh, entry({ subject: 'team:3', subject_name: null }))).toBe('团队 #3');
    expect(describeTarget(english, entry({ subject: 'team:3', subject_name: null }))).toBe('Team #3');
    expect(describeTarget(zh, entry({ subject: 'sla_policy:7', subject_name: null }))).toBe('SLA 策略 #7');
    expect(describeTarget(zh, entry({ subject: 'agent_routing:4', subject_name: null }))).toBe('成员 #4');
    expect(describeTarget(english, entry({ subject: 'contact_notice_preferences:17', subject_name: null }))).toBe('Contact #17');
    expect(describeTarget(zh, entry({ subject: 'routing_settings', subject_name: null }))).toBe('路由设置');
    expect(describeTarget(english, entry({ subject: 'todo_settings', subject_name: '' }))).toBe('To-do settings');
    expect(describeTarget(zh, entry({ subject: 'gadget:5', subject_name: null }))).toBe('gadget #5');
  });
});

describe('describeEntry', () => {
  it('puts the three parts together', () => {
    expect(
      describeEntry(zh, entry({ kind: 'team_member_added', subject: 'team:3', subject_name: '售后组', member_name: '李雷' })),
    ).toEqual({ actor: '王芳', action: '把 李雷 加入了团队', target: '售后组' });
    expect(describeEntry(english, setting('canned_response', 'deleted', { actor_id: null, actor_name: null, subject_name: 'refund' }))).toEqual({
      actor: 'System',
      action: 'Deleted the canned response',
      target: 'refund',
    });
  });
});

describe('parseWhat', () => {
  it('reads groups and areas, and nothing else', () => {
    expect(parseWhat('teams')).toEqual({ group: 'teams' });
    expect(parseWhat('sla_policy')).toEqual({ area: 'sla_policy' });
    expect(parseWhat('toString')).toBeNull();
    expect(parseWhat('nope')).toBeNull();
    expect(parseWhat(null)).toBeNull();
  });
});

describe('audit translations', () => {
  type Tree = { [key: string]: string | Tree };
  const at = (tree: Tree, path: string): unknown =>
    path.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Tree)[key] : undefined), tree);

  it.each([
    ['zh-CN', zhCN as unknown as Tree],
    ['en', en as unknown as Tree],
  ])('%s names every kind and every area', (_, tree) => {
    for (const kind of AUDIT_KINDS) expect(at(tree, `audit.kinds.${kind}`), kind).toEqual(expect.stringMatching(/\S/));
    for (const area of AUDIT_AREAS) {
      expect(at(tree, `audit.areas.${area}`), area).toEqual(expect.stringMatching(/\S/));
      expect(at(tree, `audit.things.${area}`), area).toEqual(expect.stringMatching(/\S/));
    }
    expect(AUDIT_AREAS).toHaveLength(22);
  });
});
