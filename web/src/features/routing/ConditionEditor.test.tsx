import { beforeEach, describe, expect, it, vi } from 'vitest';
import { useState } from 'react';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ConfigProvider } from 'antd';
import { ConditionEditor } from './ConditionEditor';
import { newGroup, toJson, type GroupNode, type Json } from './conditions';
import { FIELDS } from '../../test/routingFields';
import { setLocale } from '../../i18n';
import { pickOption as pick } from '../../test/select';

vi.setConfig({ testTimeout: 60_000 });

/** The editor with its state, reporting the JSON of every change. */
function Harness({ onJson }: { onJson: (json: Json) => void }) {
  const [tree, setTree] = useState<GroupNode>(() => newGroup());
  return (
    <ConfigProvider theme={{ token: { motion: false } }}>
      <ConditionEditor
        value={tree}
        fields={FIELDS}
        onChange={(next) => {
          setTree(next);
          onJson(toJson(next));
        }}
      />
    </ConfigProvider>
  );
}

function setup() {
  let json: Json = null;
  render(<Harness onJson={(value) => (json = value)} />);
  return { typist: userEvent.setup({ delay: null }), json: () => json };
}

beforeEach(async () => {
  await setLocale('zh-CN');
});

describe('ConditionEditor', () => {
  it('builds a nested tree into the exact JSON the server takes', async () => {
    const { typist, json } = setup();

    // 条件 1: entry.campaign eq "双11" (eq is the field's first operator).
    await typist.click(screen.getByRole('button', { name: '添加条件' }));
    const first = screen.getByRole('group', { name: '条件 1' });
    await pick(typist, within(first).getByRole('combobox', { name: '条件 1的字段' }), '入口活动');
    await typist.type(within(first).getByRole('textbox', { name: '条件 1的值' }), '双11');

    // 条件组 2, negated: any of contact.tags contains_any [vip, svip] / contact.custom.paid eq 3.
    await typist.click(screen.getByRole('button', { name: '添加条件组' }));
    const group = screen.getByRole('group', { name: '条件组 2' });
    await typist.click(within(group).getByRole('checkbox', { name: '条件组 2取反' }));
    await typist.click(within(group).getByRole('button', { name: '在条件组 2中添加条件' }));
    const tags = screen.getByRole('group', { name: '条件 2.1' });
    await pick(typist, within(tags).getByRole('combobox', { name: '条件 2.1的字段' }), '客户标签');
    await pick(typist, within(tags).getByRole('combobox', { name: '条件 2.1的运算符' }), '包含任一');
    await typist.type(within(tags).getByRole('combobox', { name: '条件 2.1的值' }), 'vip,svip,');

    await typist.click(within(group).getByRole('button', { name: '在条件组 2中添加条件' }));
    const custom = screen.getByRole('group', { name: '条件 2.2' });
    await pick(typist, within(custom).getByRole('combobox', { name: '条件 2.2的字段' }), '自定义属性');
    await typist.type(within(custom).getByRole('textbox', { name: '条件 2.2的键名' }), 'paid');
    await pick(typist, within(custom).getByRole('combobox', { name: '条件 2.2的值的类型' }), '数字');
    await typist.type(within(custom).getByRole('textbox', { name: '条件 2.2的值' }), '3');

    // 条件 3: time.local between 09:00 and 18:00.
    await typist.click(screen.getByRole('button', { name: '添加条件' }));
    const clock = screen.getByRole('group', { name: '条件 3' });
    await pick(typist, within(clock).getByRole('combobox', { name: '条件 3的字段' }), '当地时间');
    await typist.type(within(clock).getByRole('textbox', { name: '条件 3的值的开始时间' }), '09:00');
    await typist.type(within(clock).getByRole('textbox', { name: '条件 3的值的结束时间' }), '18:00');

    expect(json()).toEqual({
      all: [
        { field: 'entry.campaign', op: 'eq', value: '双11' },
        {
          not: {
            any: [
              { field: 'contact.tags', op: 'contains_any', value: ['vip', 'svip'] },
              { field: 'contact.custom.paid', op: 'eq', value: 3 },
            ],
          },
        },
        { field: 'time.local', op: 'between', value: ['09:00', '18:00'] },
      ],
    });

    // Removing the group leaves the two tests, renumbered.
    await typist.click(within(group).getByRole('button', { name: '删除条件组 2' }));
    expect(json()).toEqual({
      all: [
        { field: 'entry.campaign', op: 'eq', value: '双11' },
        { field: 'time.local', op: 'between', value: ['09:00', '18:00'] },
      ],
    });
    expect(screen.getByRole('group', { name: '条件 2' })).toBeInTheDocument();
  });

  it('resets the operator and the value when the field changes', async () => {
    const { typist, json } = setup();
    await typist.click(screen.getByRole('button', { name: '添加条件' }));
    const row = screen.getByRole('group', { name: '条件 1' });
    const field = within(row).getByRole('combobox', { name: '条件 1的字段' });
    await pick(typist, field, '入口活动');
    await pick(typist, within(row).getByRole('combobox', { name: '条件 1的运算符' }), '包含');
    await typist.type(within(row).getByRole('textbox', { name: '条件 1的值' }), '退款');
    expect(json()).toEqual({ all: [{ field: 'entry.campaign', op: 'contains', value: '退款' }] });

    // A number field: its first operator, and an empty number.
    await pick(typist, field, '历史会话数');
    expect(json()).toEqual({ all: [{ field: 'contact.conversations', op: 'eq', value: null }] });
    expect(within(row).getByRole('spinbutton', { name: '条件 1的值' })).toHaveValue('');
    expect(within(row).queryByRole('textbox', { name: '条件 1的值' })).not.toBeInTheDocument();
    expect(within(row).getByTitle('等于')).toBeInTheDocument();

    // A tags field: `contains` with an empty text; the old text is gone.
    await pick(typist, field, '客户标签');
    expect(json()).toEqual({ all: [{ field: 'contact.tags', op: 'contains', value: '' }] });
    expect(within(row).getByRole('textbox', { name: '条件 1的值' })).toHaveValue('');
  });
});
