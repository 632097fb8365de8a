import { expect, test } from '@playwright/test';
import { csrfToken } from './api';
import { myName, signInAsOwner } from './session';

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('an admin routes a campaign to a team, goes online and simulates who gets the conversation', async ({ page }) => {
  const stamp = Date.now();
  const teamName = `路由组 ${stamp}`;
  const ruleName = `双11 活动 ${stamp}`;
  const campaign = `双11-${stamp}`;
  await signInAsOwner(page);
  const owner = await myName(page);

  // A team with the owner in it.
  await page.goto('/teams');
  await page.getByRole('button', { name: '新建团队' }).click();
  const teamDialog = page.getByRole('dialog', { name: '新建团队' });
  await teamDialog.getByLabel('名称').fill(teamName);
  await teamDialog.getByRole('button', { name: '新建团队' }).click();
  await expect(teamDialog).toBeHidden();
  await page.getByRole('button', { name: `${teamName} 的成员` }).click();
  const members = page.getByRole('dialog', { name: `${teamName} · 成员` });
  const picker = members.getByRole('combobox', { name: '选择要添加的成员' });
  await picker.fill('owner@example.com');
  await picker.press('Enter');
  await members.getByRole('button', { name: '添加' }).click();
  await expect(members.getByText('owner@example.com')).toBeVisible();
  await members.getByRole('button', { name: 'Close' }).or(members.getByRole('button', { name: '关闭' })).click();

  // Conversations left waiting by other specs go to the owner once online; room for all of them
  // keeps the owner a candidate (capacity is an admin setting, not what this test is about).
  const me = (await (await page.request.get('/api/v1/me')).json()) as { user: { id: number } };
  const room = await page.request.patch(`/api/v1/agents/${me.user.id}`, {
    data: { capacity: 1000 },
    headers: { 'X-CSRF-Token': await csrfToken(page.request) },
  });
  expect(room.status()).toBe(200);

  // A rule: entry.campaign equals the campaign → the team.
  await page.getByRole('navigation', { name: '主导航' }).getByRole('menuitem', { name: '路由' }).click();
  await expect(page.getByRole('heading', { name: '路由', exact: true })).toBeVisible();
  await expect(page.getByRole('tab', { name: '规则' })).toHaveAttribute('aria-selected', 'true');
  await page.getByRole('button', { name: '新建规则' }).click();
  const drawer = page.getByRole('dialog', { name: '新建路由规则' });
  await drawer.getByLabel('名称', { exact: true }).fill(ruleName);
  await drawer.getByRole('button', { name: '添加条件', exact: true }).click();
  const condition = drawer.getByRole('group', { name: '条件 1' });
  const field = condition.getByRole('combobox', { name: '条件 1的字段' });
  await field.fill('entry.campaign');
  await field.press('Enter');
  await expect(condition.getByRole('combobox', { name: '条件 1的运算符' })).toBeEnabled();
  await condition.getByRole('textbox', { name: '条件 1的值' }).fill(campaign);
  const teams = drawer.getByRole('combobox', { name: '团队 （可选）' });
  await teams.fill(teamName);
  await teams.press('Enter');
  await drawer.getByRole('button', { name: '新建规则' }).click();
  await expect(drawer).toBeHidden();

  const row = page.getByRole('row', { name: new RegExp(ruleName) });
  await expect(row).toBeVisible();
  await expect(row).toContainText(`入口活动 等于 “${campaign}”`);
  await expect(row).toContainText(teamName);

  // Online.
  await page.getByRole('button', { name: /^我的状态/ }).click();
  await page.getByRole('menuitem', { name: '在线' }).click();
  await expect(page.getByRole('button', { name: '我的状态：在线' })).toBeVisible();

  // Who would get a conversation from the campaign: the rule matches, the owner is chosen.
  await page.getByRole('tab', { name: '模拟' }).click();
  const fact = page.getByRole('group', { name: '第 1 项信息' });
  const factField = fact.getByRole('combobox', { name: '第 1 项信息的字段' });
  await factField.fill('entry.campaign');
  await factField.press('Enter');
  await fact.getByRole('textbox', { name: '第 1 项信息的值' }).fill(campaign);
  await page.getByRole('button', { name: '开始模拟' }).click();

  const outcome = page.getByTestId('simulate-outcome');
  await expect(outcome).toContainText(`将分配给 ${owner}`);
  await expect(outcome).toContainText(`命中规则：${ruleName}`);
  const candidates = page.getByRole('region', { name: '候选客服' });
  await expect(candidates.getByRole('row', { name: new RegExp(escape(owner)) })).toContainText('已选中');
});
