import { expect, test, type Browser, type Page } from '@playwright/test';
import { beAvailable, createChannel } from './api';
import { signInAsOwner } from './session';

const SCREENSHOTS = '../docs/screenshots';

/** A visitor on the channel's H5 chat page, in a separate cookie-less context. */
async function openVisitor(browser: Browser, publicKey: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: test.info().project.use.baseURL, locale: 'zh-CN' });
  const visitor = await context.newPage();
  await visitor.goto(`/chat/${publicKey}`);
  await expect(visitor.getByRole('textbox', { name: '消息内容' })).toBeVisible();
  return visitor;
}

/** Waits for the toasts to go, so that screenshots show the page. */
async function settle(page: Page) {
  await expect(page.locator('.ant-message-notice')).toHaveCount(0, { timeout: 15_000 });
}

test('an agent turns a conversation into a to-do, sees its context and completes it', async ({ page, browser }) => {
  test.slow();
  const channelName = `待办渠道 ${Date.now()}`;
  const question = `发票什么时候寄出？${Date.now()}`;
  await signInAsOwner(page);
  await beAvailable(page);
  const channel = await createChannel(page, channelName);

  const visitor = await openVisitor(browser, channel.public_key);
  await visitor.getByRole('textbox', { name: '消息内容' }).fill(question);
  await visitor.getByRole('button', { name: '发送', exact: true }).click();

  await page.goto('/inbox');
  await page.getByRole('tab', { name: '全部' }).click();
  const row = page.getByTestId('conversation-row').filter({ hasText: channelName });
  await row.click();
  await expect(page.getByRole('log', { name: '消息' }).getByText(question)).toBeVisible();

  // One click in the context panel's 待办 section.
  const section = page.getByTestId('contact-todos');
  await section.getByRole('button', { name: /转为待办/ }).click();
  await expect(page.getByText(/已创建待办“跟进会话 #\d+”/)).toBeVisible();
  const item = section.getByRole('list', { name: '待办' }).getByText(/跟进会话 #\d+/);
  await expect(item).toBeVisible();
  const title = (await item.first().textContent())?.match(/跟进会话 #\d+/)?.[0] ?? '';

  // The to-do page lists it; opening it shows the conversation it came from.
  await page.getByRole('navigation', { name: '主导航' }).getByRole('menuitem', { name: '待办' }).click();
  const list = page.getByRole('list', { name: '待办列表' });
  const entry = list.getByRole('listitem').filter({ hasText: title });
  await expect(entry).toBeVisible();
  await entry.getByText(title, { exact: true }).click();
  const context = page.getByTestId('todo-context');
  // The latest messages now (the snapshot taken at creation holds them too, folded away).
  await expect(context.getByText(question).first()).toBeVisible();
  await expect(context.getByRole('heading', { name: /^会话 #\d+$/ })).toBeVisible();
  await settle(page);
  await page.screenshot({ path: `${SCREENSHOTS}/todos.png` });

  // Completing it takes it off the open list.
  await page.getByRole('dialog').getByRole('button', { name: `完成“${title}”` }).click();
  await expect(page.getByText(`已完成“${title}”`)).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(list.getByRole('listitem').filter({ hasText: title })).toHaveCount(0);

  await visitor.context().close();
});

test('an admin creates an automation rule, sees the API refuse a field, fixes it', async ({ page }) => {
  test.slow();
  const name = `试用到期提醒 ${Date.now()}`;
  await signInAsOwner(page);
  await page.getByRole('navigation', { name: '主导航' }).getByRole('menuitem', { name: '自动化' }).click();
  await expect(page.getByRole('heading', { name: '自动化', exact: true })).toBeVisible();

  await page.getByRole('button', { name: /新建规则/ }).click();
  const drawer = page.getByRole('dialog', { name: '新建自动化规则' });
  await drawer.getByLabel('名称').fill(name);
  await drawer.getByText('客户状态（定期扫描）').click();
  const every = drawer.getByRole('textbox', { name: '扫描间隔' });
  await every.fill('1m');
  await drawer.getByLabel(/^待办标题/).fill('提醒 {{contact.name}} 续费');
  await drawer.getByRole('button', { name: '创建' }).click();

  // The server's message sits under the field its path names (trigger.every).
  const everyItem = drawer.locator('.ant-form-item').filter({ has: page.getByRole('textbox', { name: '扫描间隔' }) });
  await expect(everyItem).toContainText('must be at least 5 minutes');

  await every.fill('1h');
  await drawer.getByRole('button', { name: '创建' }).click();
  await expect(page.getByText(`已创建规则“${name}”`)).toBeVisible();
  await expect(drawer).toBeHidden();
  // A scan rule runs when saved: its figures count whatever it generated for earlier contacts.
  const row = page.getByRole('row', { name: new RegExp(name) });
  await expect(row).toContainText('客户状态（定期扫描）');
  await expect(row).toContainText(/生成 \d+/);
  await settle(page);
  await page.screenshot({ path: `${SCREENSHOTS}/automation.png` });
});
