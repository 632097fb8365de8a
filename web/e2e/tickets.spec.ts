import { expect, test, type Page } from '@playwright/test';
import { csrfToken } from './api';
import { signInAsOwner } from './session';

const SCREENSHOTS = '../docs/screenshots';

/** Waits for the success toasts to go, so that screenshots show the page. */
async function settle(page: Page) {
  await expect(page.locator('.ant-message-notice')).toHaveCount(0, { timeout: 15_000 });
}

/** Picks an option of an antd select by its text (the option list renders outside the field). */
async function pick(page: Page, combobox: ReturnType<Page['getByRole']>, option: string) {
  await combobox.click();
  await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option', { hasText: option }).first().click();
}

test('an admin sets up SLAs; an agent works a ticket through its workflow and sees the timeline', async ({ page }) => {
  const stamp = Date.now();
  const marker = `已联系客户 ${stamp}`;
  const calendarName = `上海办公 ${stamp}`;
  const policyName = `标准 SLA ${stamp}`;
  const title = `打印机无法连接 ${stamp}`;
  await signInAsOwner(page);

  // Admin: a progress marker, a business calendar and an SLA policy.
  await page.getByRole('navigation', { name: '主导航' }).getByRole('menuitem', { name: '工单设置' }).click();
  await expect(page.getByRole('heading', { name: '工单设置', exact: true })).toBeVisible();
  await page.getByRole('tab', { name: '进度标记' }).click();
  await page.getByLabel('标记名称').fill(marker);
  await page.getByRole('button', { name: /^(plus )?添加$/ }).click();
  await expect(page.getByText(marker)).toBeVisible();

  await page.getByRole('tab', { name: '工作日历' }).click();
  await page.getByRole('button', { name: '新建日历' }).click();
  const calendarDialog = page.getByRole('dialog', { name: '新建日历' });
  await calendarDialog.getByLabel('名称').fill(calendarName);
  await calendarDialog.getByRole('checkbox', { name: /设为默认日历/ }).check();
  await calendarDialog.getByRole('button', { name: '保存' }).click();
  await expect(calendarDialog).toBeHidden();
  await expect(page.getByRole('row', { name: new RegExp(calendarName) })).toContainText('默认');

  await page.getByRole('tab', { name: 'SLA 策略' }).click();
  await page.getByRole('button', { name: '新建 SLA 策略' }).click();
  const policyDialog = page.getByRole('dialog', { name: '新建 SLA 策略' });
  await policyDialog.getByLabel('名称').fill(policyName);
  await policyDialog.getByLabel('P3 普通 的首次响应目标').fill('60');
  await policyDialog.getByLabel('P3 普通 的解决目标').fill('480');
  await policyDialog.getByRole('button', { name: '保存' }).click();
  await expect(policyDialog).toBeHidden();
  await expect(page.getByRole('row', { name: new RegExp(policyName) })).toContainText('P3 普通 60/—/480');

  // Agent: a new ticket.
  await page.getByRole('navigation', { name: '主导航' }).getByRole('menuitem', { name: /工单$/ }).click();
  await page.getByRole('button', { name: '新建工单' }).click();
  const newDialog = page.getByRole('dialog', { name: '新建工单' });
  await newDialog.getByLabel('标题').fill(title);
  await newDialog.getByLabel('描述').fill('客户的打印机连不上 Wi-Fi，已重启无效。');
  await newDialog.getByRole('button', { name: '创建' }).click();
  await expect(newDialog).toBeHidden();
  await expect(page.getByRole('heading', { name: title })).toBeVisible();
  await expect(page).toHaveURL(/\/tickets\/\d+$/);

  // The SLA of the policy runs, counting down.
  await expect(page.getByText(`策略：${policyName}`)).toBeVisible();
  await expect(page.locator('[data-urgency="ok"]').first()).toContainText('剩余');

  // Only the moves the workflow allows from 待分配 are offered.
  const moves = page.getByRole('group', { name: '流转到' });
  await expect(moves.getByRole('button')).toHaveText(['处理中', '等待客户', '等待第三方', '已解决', '已关闭']);
  await moves.getByRole('button', { name: '处理中' }).click();
  const moveDialog = page.getByRole('dialog', { name: '待分配 → 处理中' });
  await moveDialog.getByLabel('原因').fill('开始排查');
  await moveDialog.getByRole('button', { name: '确认流转' }).click();
  await expect(moveDialog).toBeHidden();
  await expect(moves.getByRole('button')).toHaveText(['等待客户', '等待第三方', '已解决', '已关闭']);

  // A progress marker, a reply and an internal note.
  await pick(page, page.getByRole('combobox', { name: '选择进度标记' }), marker);
  await page.getByLabel('备注（可选）').fill('电话联系上了');
  await page.getByRole('button', { name: '添加标记' }).click();
  await expect(page.getByText('已添加进度标记')).toBeVisible();

  await page.getByRole('textbox', { name: '回复客户' }).fill('您好，请尝试恢复出厂设置后重新配网。');
  await page.getByRole('button', { name: '发送回复' }).click();
  await expect(page.getByText('已回复', { exact: true })).toBeVisible();
  await page.getByText('内部备注', { exact: true }).click();
  await page.getByRole('textbox', { name: '内部备注' }).fill('怀疑是路由器 5G 频段问题');
  await page.getByRole('button', { name: '添加备注' }).click();
  await expect(page.getByText('已添加备注', { exact: true })).toBeVisible();

  await moves.getByRole('button', { name: '已解决' }).click();
  const resolveDialog = page.getByRole('dialog', { name: '处理中 → 已解决' });
  await resolveDialog.getByLabel('原因').fill('客户确认已恢复');
  await resolveDialog.getByRole('button', { name: '确认流转' }).click();
  await expect(resolveDialog).toBeHidden();
  await expect(moves.getByRole('button')).toHaveText(['处理中', '已关闭']);

  // The timeline tells the story.
  const timeline = page.getByTestId('timeline-entry');
  await expect(timeline.filter({ hasText: '创建了工单' })).toHaveCount(1);
  await expect(timeline.filter({ hasText: '将状态从「待分配」改为「处理中」' })).toContainText('开始排查');
  await expect(timeline.filter({ hasText: `标记进度：${marker}` })).toContainText('电话联系上了');
  await expect(timeline.filter({ hasText: '回复了客户' })).toContainText('恢复出厂设置');
  await expect(timeline.filter({ hasText: '添加了内部备注' })).toContainText('仅内部可见');
  await expect(timeline.filter({ hasText: '将状态从「处理中」改为「已解决」' })).toContainText('客户确认已恢复');
  await settle(page);
  await page.screenshot({ path: `${SCREENSHOTS}/ticket-detail.png`, fullPage: true });

  // Two more tickets whose clocks still run, so the list shows live countdowns.
  const token = await csrfToken(page.request);
  for (const [more, priority] of [
    [`退款未到账 ${stamp}`, 'p1'],
    [`发票抬头修改 ${stamp}`, 'p3'],
  ]) {
    const created = await page.request.post('/api/v1/tickets', { data: { title: more, priority }, headers: { 'X-CSRF-Token': token } });
    expect(created.status()).toBe(201);
  }

  // The list shows it with its number, state and SLA.
  await page.getByRole('link', { name: '返回工单列表' }).click();
  const row = page.getByRole('row', { name: new RegExp(title) });
  await expect(row).toContainText(/T-\d+/);
  await expect(row).toContainText('已解决');
  const running = page.getByRole('row', { name: new RegExp(`退款未到账 ${stamp}`) });
  await expect(running.locator('[data-urgency="ok"]')).toContainText(/首次响应 · 剩余/);
  await settle(page);
  await page.screenshot({ path: `${SCREENSHOTS}/tickets.png`, fullPage: true });
});
