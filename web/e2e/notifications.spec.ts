import { expect, test, type Page } from '@playwright/test';
import { csrfToken } from './api';
import { signInAsOwner } from './session';

const SCREENSHOTS = '../docs/screenshots';

/** Picks an option of an antd select by its text (the option list renders outside the field). */
async function pick(page: Page, combobox: ReturnType<Page['getByRole']>, option: string) {
  await combobox.click();
  await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option', { hasText: option }).first().click();
}

test('an admin saves a channel and edits a template with a live preview; the bell shows an unread notice', async ({ page }) => {
  const stamp = Date.now();
  const robot = `值班群 ${stamp}`;
  const key = `e2e_${stamp}`;
  const todoTitle = `回电王女士 ${stamp}`;
  await signInAsOwner(page);

  // A to-do reminding its owner (the signed-in admin) in a moment: it lands in the bell.
  const todo = await page.request.post('/api/v1/todos', {
    data: { title: todoTitle, remind_at: Date.now() + 1000 },
    headers: { 'X-CSRF-Token': await csrfToken(page.request) },
  });
  expect(todo.status()).toBe(201);

  await page.getByRole('navigation', { name: '主导航' }).getByRole('menuitem', { name: '通知' }).click();
  await expect(page.getByRole('heading', { name: '客户通知', exact: true })).toBeVisible();

  // A channel: the secret is shown masked once saved, never in full.
  await page.getByRole('tab', { name: '发送渠道' }).click();
  await page.getByRole('button', { name: /添加渠道/ }).click();
  const channelDialog = page.getByRole('dialog', { name: '添加渠道' });
  await pick(page, channelDialog.getByRole('combobox', { name: '类型' }), '企业微信群机器人');
  await channelDialog.getByLabel('名称').fill(robot);
  await channelDialog.getByLabel('机器人 Key').fill('a1b2c3d4-robot-key-56');
  await channelDialog.getByRole('button', { name: '保存' }).click();
  await expect(channelDialog).toBeHidden();
  const row = page.getByRole('row', { name: new RegExp(robot) });
  await expect(row).toContainText('••••56');
  await expect(row).not.toContainText('a1b2c3d4-robot-key-56');

  // A template: the preview follows the typing; an unknown variable is reported by line and column.
  await page.getByRole('tab', { name: '模板' }).click();
  await page.getByRole('button', { name: /新建模板/ }).click();
  const drawer = page.getByRole('dialog', { name: '新建模板' });
  await drawer.getByLabel('模板键').fill(key);
  await drawer.getByLabel('标题').fill('工单 {{ ticket.number }} 有新进展');
  const body = drawer.getByLabel('正文');
  await body.fill('{{ contact.name }}您好：\n您的工单当前状态为「{{ ticket.status }}」，预计 {{ ticket.eta }} 前完成。');
  const preview = drawer.getByTestId('template-preview');
  await expect(preview).toContainText('王女士您好：');
  await expect(preview).toContainText('您的工单当前状态为「处理中」');
  await expect(preview).toContainText('工单 T-2026001 有新进展');
  await expect(preview).not.toContainText('{{');
  await expect(page.locator('.ant-message-notice')).toHaveCount(0, { timeout: 15_000 });
  // The drawer is fixed to the viewport: a full-page shot would cut it.
  await page.screenshot({ path: `${SCREENSHOTS}/notifications-admin.png` });

  await body.fill('{{ contact.name }}您好：\n运单号 {{ ticket.nope }}');
  await expect(preview).toContainText(/正文 第 2 行第 \d+ 列：/);
  await body.fill('{{ contact.name }}您好：\n运单号 {{ ticket.tracking_number }}');
  await expect(preview).toContainText('运单号 SF1234567890');
  await drawer.getByRole('button', { name: '保存' }).click();
  await expect(drawer).toBeHidden();
  await expect(page.getByRole('row', { name: new RegExp(key) })).toBeVisible();

  // The bell: the reminder is unread; opening the list shows it; "mark all read" clears the badge.
  const bell = page.getByRole('button', { name: /^通知（\d+ 条未读）$/ });
  await expect(bell).toBeVisible({ timeout: 30_000 });
  await bell.click();
  await expect(page.getByRole('button', { name: todoTitle })).toBeVisible();
  await page.getByRole('button', { name: '全部已读' }).click();
  await expect(page.getByRole('button', { name: '通知', exact: true })).toBeVisible();
});
