import { expect, test, type Browser, type Page } from '@playwright/test';
import { beAvailable, createChannel } from './api';
import { signInAsOwner } from './session';

/** A visitor: a separate browser context with no cookies, on the channel's H5 chat page. */
async function openVisitor(browser: Browser, publicKey: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: test.info().project.use.baseURL, locale: 'zh-CN' });
  const visitor = await context.newPage();
  await visitor.goto(`/chat/${publicKey}`);
  await expect(visitor.getByRole('textbox', { name: '消息内容' })).toBeVisible();
  return visitor;
}

async function visitorSays(visitor: Page, text: string) {
  const box = visitor.getByRole('textbox', { name: '消息内容' });
  await box.fill(text);
  await visitor.getByRole('button', { name: '发送', exact: true }).click();
}

test('a visitor chats with an agent live: replies, internal notes, resolve and rating', async ({ page, browser }) => {
  const channelName = `官网 ${Date.now()}`;
  await signInAsOwner(page);
  await beAvailable(page);
  const channel = await createChannel(page, channelName, { greeting: '您好，有什么可以帮您？' });

  await page.goto('/inbox');
  await expect(page.getByRole('heading', { name: '收件箱' })).toBeVisible();
  await page.getByRole('tab', { name: '全部' }).click();
  await expect(page.getByRole('status', { name: '实时连接正常' })).toBeVisible();

  const visitor = await openVisitor(browser, channel.public_key);
  await visitorSays(visitor, '你好，我的订单还没发货');

  // The conversation appears in the agent's list without a reload.
  const row = page.getByTestId('conversation-row').filter({ hasText: channelName });
  await expect(row).toBeVisible();
  await row.click();
  const log = page.getByRole('log', { name: '消息' });
  await expect(log.getByText('你好，我的订单还没发货')).toBeVisible();

  // The visitor types; the agent sees it.
  await visitor.getByRole('textbox', { name: '消息内容' }).fill('订单号');
  await expect(page.getByText(/正在输入…/)).toBeVisible();
  await visitor.getByRole('textbox', { name: '消息内容' }).fill('');

  // The agent replies with Enter.
  const reply = page.getByRole('textbox', { name: '输入回复…' });
  await reply.fill('您好，我来帮您查一下。');
  await reply.press('Enter');
  await expect(reply).toHaveValue('');
  await expect(log.getByTestId('message').filter({ hasText: '您好，我来帮您查一下。' })).toBeVisible();
  await expect(page.getByTestId('pending-message')).toHaveCount(0);
  await expect(visitor.getByText('您好，我来帮您查一下。')).toBeVisible();

  // An internal note: yellow, labelled, and never shown to the visitor.
  await page.getByText('内部备注', { exact: true }).first().click();
  const note = page.getByRole('textbox', { name: '写一条内部备注…' });
  await note.fill('老客户，优先处理');
  await note.press('Enter');
  const noteItem = log.locator('[data-kind="note"]').filter({ hasText: '老客户，优先处理' });
  await expect(noteItem).toBeVisible();
  await expect(noteItem.getByText('内部备注')).toBeVisible();

  // A reply after the note reaches the visitor; the note before it never did.
  await page.getByText('回复', { exact: true }).first().click();
  await reply.fill('已经为您加急处理。');
  await reply.press('Enter');
  await expect(visitor.getByText('已经为您加急处理。')).toBeVisible();
  await expect(visitor.getByText('老客户，优先处理')).toHaveCount(0);

  // Later messages from the visitor arrive live in the open conversation.
  await visitorSays(visitor, '好的，谢谢');
  await expect(log.getByText('好的，谢谢')).toBeVisible();

  // Resolving shows the visitor the rating prompt.
  await page.getByRole('button', { name: '解决' }).click();
  await expect(page.getByRole('button', { name: '重新打开' })).toBeVisible();
  await expect(visitor.getByText('本次服务已结束，请为我们打分')).toBeVisible();
  // The resolved conversation left the open list.
  await expect(row).toHaveCount(0);

  await visitor.context().close();
});

test('a conversation that arrives while the agent is on another conversation is marked unread and moves up', async ({
  page,
  browser,
}) => {
  const channelName = `活动页 ${Date.now()}`;
  await signInAsOwner(page);
  await beAvailable(page);
  const channel = await createChannel(page, channelName);
  await page.goto('/inbox');
  await page.getByRole('tab', { name: '全部' }).click();
  await expect(page.getByRole('status', { name: '实时连接正常' })).toBeVisible();

  const first = await openVisitor(browser, channel.public_key);
  await visitorSays(first, '第一位访客');
  const second = await openVisitor(browser, channel.public_key);
  await visitorSays(second, '第二位访客');

  const rows = page.getByTestId('conversation-row').filter({ hasText: channelName });
  await expect(rows).toHaveCount(2);
  // Newest activity first: the second visitor's conversation is on top, unread.
  await expect(rows.first()).toHaveAttribute('aria-label', /有未读消息/);
  await rows.nth(1).click();
  await expect(page.getByRole('log', { name: '消息' }).getByText('第一位访客')).toBeVisible();
  await expect(rows.first()).toHaveAttribute('aria-label', /有未读消息/);

  // A new message from the first visitor moves its row to the top.
  await visitorSays(first, '还在吗？');
  await expect(page.getByRole('log', { name: '消息' }).getByText('还在吗？')).toBeVisible();
  await expect(rows.first()).toHaveAttribute('aria-current', 'page');
  await expect(rows.first()).not.toHaveAttribute('aria-label', /有未读消息/);

  await first.context().close();
  await second.context().close();
});

test('after the agent socket drops, missed messages are replayed once and a reply written meanwhile is sent', async ({
  page,
  browser,
}) => {
  const channelName = `断线 ${Date.now()}`;
  // The agent's socket goes through a switch: while `blocked`, connection attempts are refused.
  let blocked = false;
  let refused = 0;
  const sockets: Array<{ close: () => Promise<void> }> = [];
  await page.routeWebSocket(/\/api\/v1\/ws$/, (ws) => {
    if (blocked) {
      refused++;
      void ws.close();
      return;
    }
    ws.connectToServer();
    sockets.push(ws);
  });
  await signInAsOwner(page);
  await beAvailable(page);
  const channel = await createChannel(page, channelName);
  const visitor = await openVisitor(browser, channel.public_key);
  await visitorSays(visitor, '在线时的消息');

  await page.goto('/inbox');
  await page.getByRole('tab', { name: '全部' }).click();
  await page.getByTestId('conversation-row').filter({ hasText: channelName }).click();
  const log = page.getByRole('log', { name: '消息' });
  await expect(log.getByText('在线时的消息')).toBeVisible();
  await expect(page.getByRole('status', { name: '实时连接正常' })).toBeVisible();

  // The connection drops and stays down for a while.
  blocked = true;
  await sockets[sockets.length - 1].close();
  await expect(page.getByRole('status', { name: '连接已断开' })).toBeVisible();
  await visitorSays(visitor, '断线时的消息');
  const reply = page.getByRole('textbox', { name: '输入回复…' });
  await reply.fill('稍等，我看一下');
  await reply.press('Enter');
  await expect(page.getByTestId('pending-message').getByText('发送中…')).toBeVisible();
  await expect.poll(() => refused).toBeGreaterThan(0);

  // Back online: hello replays what was missed, the queued reply goes out with its client_id.
  blocked = false;
  await expect(log.getByText('断线时的消息')).toBeVisible({ timeout: 20_000 });
  await expect(log.getByTestId('message').filter({ hasText: '稍等，我看一下' })).toBeVisible();
  await expect(page.getByTestId('pending-message')).toHaveCount(0);
  await expect(visitor.getByText('稍等，我看一下')).toBeVisible();
  await expect(log.getByText('断线时的消息')).toHaveCount(1);
  await expect(log.getByText('稍等，我看一下')).toHaveCount(1);
  await expect(visitor.getByText('稍等，我看一下')).toHaveCount(1);

  await visitor.context().close();
});
