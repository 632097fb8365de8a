import { expect, test, type APIRequestContext, type Browser, type Page } from '@playwright/test';
import { beAvailable, createChannel, csrfToken } from './api';
import { signInAsOwner } from './session';
import { OWNER } from './owner';

const SCREENSHOTS = '../docs/screenshots';

/** Waits for the success toasts to go, so that screenshots show the page. */
async function settle(page: Page) {
  await expect(page.locator('.ant-message-notice')).toHaveCount(0, { timeout: 15_000 });
}

async function post(request: APIRequestContext, path: string, data: unknown, status = 201) {
  const response = await request.post(path, { data, headers: { 'X-CSRF-Token': await csrfToken(request) } });
  expect(response.status(), `${path}: ${await response.text()}`).toBe(status);
  return response.status() === 204 ? null : ((await response.json()) as Record<string, unknown>);
}

/** A second person's browser: the agent signs in there, the owner stays signed in in `page`. */
async function signIn(browser: Browser, email: string, password: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: test.info().project.use.baseURL, locale: 'zh-CN' });
  const page = await context.newPage();
  await signInOn(page, email, password);
  return page;
}

/** Signs in on the login page; on a phone the navigation is behind a button. */
async function signInOn(page: Page, email: string, password: string) {
  await page.goto('/login');
  await page.getByLabel('邮箱').fill(email);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('navigation', { name: '主导航' }).or(page.getByRole('button', { name: '打开导航' }))).toBeVisible();
}

test('a campaign conversation is routed to the team agent, who answers with a canned response and follows up with a ticket the customer can track', async ({
  page,
  browser,
}) => {
  test.slow();
  const stamp = Date.now();
  const campaign = `spring-${stamp}`;
  const teamName = `售前组 ${stamp}`;
  const ruleName = `春季活动 ${stamp}`;
  const agent = { email: `li.na.${stamp}@example.com`, name: `李娜${stamp % 1000}`, password: 'agent-password-1' };

  // Admin (the owner): a channel with the campaign's entry point, an agent in a team, a canned response.
  await signInAsOwner(page);
  const channel = await createChannel(page, `春季官网 ${stamp}`);
  await post(page.request, `/api/v1/channels/${channel.id}/entry-points`, {
    key: `spring${stamp}`,
    name: '春季促销落地页',
    campaign,
  });
  const created = (await post(page.request, '/api/v1/users', { ...agent, role: 'agent' })) as { id: number };
  const team = (await post(page.request, '/api/v1/teams', { name: teamName })) as { id: number };
  const member = await page.request.put(`/api/v1/teams/${team.id}/members/${created.id}`, {
    headers: { 'X-CSRF-Token': await csrfToken(page.request) },
  });
  expect(member.ok()).toBe(true);
  await post(page.request, '/api/v1/canned-responses', {
    short_code: `greet${stamp % 1000}`,
    content: '您好 {{contact.name}}，我是 {{agent.name}}，很高兴为您服务。',
  });
  const online = await page.request.patch(`/api/v1/agents/${created.id}`, {
    data: { status: 'online', capacity: 10 },
    headers: { 'X-CSRF-Token': await csrfToken(page.request) },
  });
  expect(online.status()).toBe(200);

  // The admin writes the routing rule in the editor. A team removed by someone else while the
  // editor is open: the API refuses the rule, and says so on the Teams field.
  const gone = (await post(page.request, '/api/v1/teams', { name: `临时组 ${stamp}` })) as { id: number };
  await page.goto('/routing/rules');
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
  await teams.fill(`临时组 ${stamp}`);
  await teams.press('Enter');
  const removed = await page.request.delete(`/api/v1/teams/${gone.id}`, {
    headers: { 'X-CSRF-Token': await csrfToken(page.request) },
  });
  expect(removed.ok()).toBe(true);
  await drawer.getByRole('button', { name: '新建规则' }).click();
  const teamsItem = drawer.locator('.ant-form-item').filter({ has: page.getByRole('combobox', { name: '团队 （可选）' }) }).last();
  await expect(teamsItem).toContainText('no such team');
  await expect(drawer).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/routing-rule-editor.png` });

  // Fixed: the right team instead.
  await teams.press('Backspace');
  await teams.fill(teamName);
  await teams.press('Enter');
  await drawer.getByRole('button', { name: '新建规则' }).click();
  await expect(drawer).toBeHidden();
  const ruleRow = page.getByRole('row', { name: new RegExp(ruleName) });
  await expect(ruleRow).toContainText(`入口活动 等于 “${campaign}”`);
  await expect(ruleRow).toContainText(teamName);
  await expect(ruleRow).not.toContainText('临时组');

  // The agent signs in and opens the inbox.
  const agentPage = await signIn(browser, agent.email, agent.password);
  await agentPage.goto('/inbox');
  await agentPage.getByRole('tab', { name: '我的' }).click();
  await expect(agentPage.getByRole('status', { name: '实时连接正常' })).toBeVisible();
  await expect(agentPage).toHaveTitle('迎客');

  // A visitor comes from the campaign link and writes.
  const visitorContext = await browser.newContext({ baseURL: test.info().project.use.baseURL, locale: 'zh-CN' });
  const visitor = await visitorContext.newPage();
  await visitor.goto(`/chat/${channel.public_key}?yk_entry=spring${stamp}`);
  const box = visitor.getByRole('textbox', { name: '消息内容' });
  await box.fill('你好，春季活动的满减怎么用？');
  await visitor.getByRole('button', { name: '发送', exact: true }).click();

  // The rule sends it to the team, and so to the agent: it is in "mine", unread, counted in the tab title.
  const row = agentPage.getByTestId('conversation-row').first();
  await expect(row).toBeVisible();
  await expect(row).toHaveAttribute('aria-label', /有未读消息/);
  await expect(agentPage).toHaveTitle('(1) 迎客');
  await row.click();
  const log = agentPage.getByRole('log', { name: '消息' });
  await expect(log.getByText('你好，春季活动的满减怎么用？')).toBeVisible();

  // Why me: the routing record in the context panel names the rule and the agent.
  const routing = agentPage.getByRole('region', { name: '路由记录' });
  await expect(routing).toContainText(`规则：${ruleName}`);
  await expect(routing).toContainText(agent.name);
  await routing.getByRole('button', { name: '查看详情' }).click();
  await expect(routing).toContainText(teamName);

  // A canned response through "/": the variables are filled in before sending.
  const reply = agentPage.getByRole('textbox', { name: '输入回复…' });
  await reply.fill('/greet');
  const option = agentPage.getByRole('option', { name: new RegExp(`/greet${stamp % 1000}`) });
  await expect(option).toBeVisible();
  await reply.press('Enter');
  await expect(reply).toHaveValue(new RegExp(`我是 ${agent.name}，很高兴为您服务。`));
  await expect(reply).not.toHaveValue(/\{\{/);
  await reply.press('Enter');
  await expect(visitor.getByText(new RegExp(`我是 ${agent.name}，很高兴为您服务。`))).toBeVisible();
  await expect(agentPage).toHaveTitle('迎客');
  await agentPage.screenshot({ path: `${SCREENSHOTS}/inbox.png` });

  // A note that @mentions the admin, picked from the list as it is typed: the admin, on another
  // page of the workspace, hears of it at once.
  await agentPage.getByText('内部备注', { exact: true }).first().click();
  const note = agentPage.getByRole('textbox', { name: '写一条内部备注…' });
  await note.pressSequentially('@owner');
  await note.press('Enter');
  await expect(note).toHaveValue(/^@\S.* $/);
  await note.pressSequentially('请确认满减规则');
  await note.press('Enter');
  await expect(log.locator('[data-kind="note"]').filter({ hasText: '请确认满减规则' })).toBeVisible();
  await expect(page.getByText(`${agent.name} 提到了你`).first()).toBeVisible();
  await expect(visitor.getByText('请确认满减规则')).toHaveCount(0);
  await agentPage.getByText('回复', { exact: true }).first().click();

  // A ticket from the conversation, moved through its states.
  await agentPage.getByRole('button', { name: /创建工单/ }).click();
  await expect(agentPage).toHaveURL(/\/tickets\/\d+$/);
  const ticketId = Number(/\/tickets\/(\d+)$/.exec(agentPage.url())?.[1]);
  const moves = agentPage.getByRole('group', { name: '流转到' });
  await moves.getByRole('button', { name: '处理中' }).click();
  const start = agentPage.getByRole('dialog', { name: '待分配 → 处理中' });
  await start.getByLabel('原因').fill('核对活动规则');
  await start.getByRole('button', { name: '确认流转' }).click();
  await expect(start).toBeHidden();
  await moves.getByRole('button', { name: '已解决' }).click();
  const resolve = agentPage.getByRole('dialog', { name: '处理中 → 已解决' });
  await resolve.getByLabel('原因').fill('已告知满减规则');
  await resolve.getByRole('button', { name: '确认流转' }).click();
  await expect(resolve).toBeHidden();

  // The customer's message centre: the in-app notices of the ticket, on the page their notices link to.
  let link = '';
  await expect
    .poll(
      async () => {
        const answer = await page.request.get(`/api/v1/notifications/deliveries?ticket_id=${ticketId}&medium=in_app`);
        const { items } = (await answer.json()) as {
          items: { recipient_kind: string; body: string }[];
        };
        const customer = items.filter((d) => d.recipient_kind === 'customer');
        // The notice's text carries the customer's link to the ticket page.
        link = customer.map((d) => /\/t\/[\w.-]+/.exec(d.body)?.[0]).find(Boolean) ?? '';
        return customer.length;
      },
      { timeout: 30_000 },
    )
    .toBeGreaterThanOrEqual(2);
  expect(link).not.toBe('');

  // The same notices in the widget's message centre, where the visitor still chats: opening it
  // refreshes it and reads what it shows.
  await visitor.getByRole('button', { name: /^消息(（\d+ 条未读）)?$/ }).click();
  await expect(visitor.getByRole('heading', { name: '消息', exact: true })).toBeVisible();
  const centre = visitor.getByRole('list', { name: '消息' });
  const inbox = centre.getByRole('listitem');
  await expect(inbox.filter({ hasText: '处理中' }).first()).toBeVisible();
  await expect(inbox.filter({ hasText: /已解决|解决/ }).first()).toBeVisible();
  await expect(visitor.getByRole('button', { name: '消息', exact: true })).toBeVisible();
  await expect(visitor.locator('.yk-nt-badge')).toHaveCount(0);
  const ticketLink = centre.getByRole('link', { name: '查看工单' }).first();
  await expect(ticketLink).toHaveAttribute('href', /^https?:\/\/[^/]+\/t\/[\w.-]+$/);
  await expect(ticketLink).toHaveAttribute('target', '_blank');
  await expect(ticketLink).toHaveAttribute('rel', 'noopener noreferrer');
  await visitor.screenshot({ path: `${SCREENSHOTS}/widget-notices.png` });
  await visitor.getByRole('button', { name: '返回对话' }).click();
  await expect(visitor.getByRole('textbox', { name: '消息内容' })).toBeVisible();

  await visitor.goto(link);
  await expect(visitor.getByRole('heading', { level: 1 })).toContainText('工单');
  await expect(visitor.getByText(/状态 \/ Status：/)).toContainText('已解决');
  const notices = visitor.getByRole('listitem');
  await expect(notices.filter({ hasText: '处理中' }).first()).toBeVisible();
  await expect(notices.filter({ hasText: /已解决|解决/ }).first()).toBeVisible();

  // An admin page for the README.
  await page.goto('/teams');
  await expect(page.getByRole('row', { name: new RegExp(teamName) })).toBeVisible();
  await settle(page);
  await page.screenshot({ path: `${SCREENSHOTS}/admin.png` });

  await visitorContext.close();
  await agentPage.context().close();
});

test.describe('on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

  /** Nothing sticks out sideways: the page fits the phone's width. */
  async function fitsWidth(page: Page) {
    // As a string: the e2e code is type-checked without the DOM library.
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
  }

  test('the inbox is list → conversation → context with back buttons; the nav is a drawer; tickets work', async ({
    page,
    browser,
  }) => {
    test.slow();
    const stamp = Date.now();
    const channelName = `手机渠道 ${stamp}`;
    const title = `手机上处理的工单 ${stamp}`;
    await signInOn(page, OWNER.email, OWNER.password);
    await beAvailable(page);
    const channel = await createChannel(page, channelName);

    const visitorContext = await browser.newContext({ baseURL: test.info().project.use.baseURL, locale: 'zh-CN' });
    const visitor = await visitorContext.newPage();
    await visitor.goto(`/chat/${channel.public_key}`);
    await visitor.getByRole('textbox', { name: '消息内容' }).fill('我在用手机联系你们');
    await visitor.getByRole('button', { name: '发送', exact: true }).click();
    await expect(visitor.getByText('我在用手机联系你们')).toBeVisible();

    // The list alone, no side bar: the navigation hides behind a button.
    await page.goto('/inbox');
    await expect(page.getByRole('navigation', { name: '主导航' })).toBeHidden();
    await page.getByRole('tab', { name: '全部' }).click();
    const row = page.getByTestId('conversation-row').filter({ hasText: channelName });
    await expect(row).toBeVisible();
    await fitsWidth(page);

    // → the conversation, in place of the list.
    await row.click();
    const log = page.getByRole('log', { name: '消息' });
    await expect(log.getByText('我在用手机联系你们')).toBeVisible();
    await expect(page.getByRole('region', { name: '会话列表' })).toBeHidden();
    const reply = page.getByRole('textbox', { name: '输入回复…' });
    await reply.fill('您好，手机上也能回复。');
    await reply.press('Enter');
    await expect(visitor.getByText('您好，手机上也能回复。')).toBeVisible();
    await fitsWidth(page);
    // The header's actions wrap rather than run off the edge (the pane itself clips, so check them).
    for (const name of ['创建工单', '转接', '解决', '更多状态']) {
      const box = await page.getByRole('button', { name: new RegExp(`(^| )${name}$`) }).boundingBox();
      expect(box && box.x + box.width, name).toBeLessThanOrEqual(390);
    }
    await settle(page);
    await page.screenshot({ path: `${SCREENSHOTS}/phone.png` });

    // → the context, in place of the conversation; back to the conversation, back to the list.
    await page.getByRole('button', { name: '客户信息' }).click();
    const context = page.getByRole('complementary', { name: '客户信息' });
    await expect(context.getByRole('region', { name: '会话来源' })).toBeVisible();
    await expect(log).toBeHidden();
    await fitsWidth(page);
    await context.getByRole('button', { name: '返回会话' }).click();
    await expect(log.getByText('我在用手机联系你们')).toBeVisible();
    await page.getByRole('button', { name: '返回会话列表' }).click();
    await expect(row).toBeVisible();
    await expect(page).toHaveURL(/\/inbox$/);

    // The navigation drawer leads to the tickets; the list and a ticket fit the phone.
    const created = (await post(page.request, '/api/v1/tickets', { title, priority: 'p2' })) as { id: number };
    await page.getByRole('button', { name: '打开导航' }).click();
    await page.getByRole('navigation', { name: '主导航' }).getByRole('menuitem', { name: /工单$/ }).click();
    await expect(page.getByRole('navigation', { name: '主导航' })).toBeHidden();
    const ticketLink = page.getByRole('link', { name: title });
    await expect(ticketLink).toBeVisible();
    await fitsWidth(page);
    await ticketLink.click();
    await expect(page).toHaveURL(new RegExp(`/tickets/${created.id}$`));
    await expect(page.getByRole('heading', { name: title })).toBeVisible();
    const moves = page.getByRole('group', { name: '流转到' });
    await moves.getByRole('button', { name: '处理中' }).click();
    const dialog = page.getByRole('dialog', { name: '待分配 → 处理中' });
    await dialog.getByRole('button', { name: '确认流转' }).click();
    await expect(dialog).toBeHidden();
    await expect(moves.getByRole('button', { name: '已解决' })).toBeVisible();
    await fitsWidth(page);

    await visitorContext.close();
  });
});

test('the workspace is installable: a manifest with icons, and an active service worker that leaves the API alone', async ({ page }) => {
  await signInAsOwner(page);
  const manifest = (await (await page.request.get('/manifest.webmanifest')).json()) as {
    name: string;
    start_url: string;
    display: string;
    icons: { src: string; sizes: string }[];
  };
  expect(manifest).toMatchObject({ name: '迎客', start_url: '/inbox', display: 'standalone' });
  for (const icon of manifest.icons) {
    const response = await page.request.get(icon.src);
    expect(response.status(), icon.src).toBe(200);
  }
  expect(manifest.icons.map((i) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));

  await expect
    .poll(() => page.evaluate<string | null>(`navigator.serviceWorker.getRegistration('/').then((r) => r?.active?.state ?? null)`))
    .toBe('activated');
  // The shell is cached; the API never is.
  const cached = await page.evaluate<string[]>(`(async () => {
    const urls = [];
    for (const name of await caches.keys()) {
      for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
    }
    return urls;
  })()`);
  expect(cached).toContain('/index.html');
  expect(cached.filter((path) => path.startsWith('/api/'))).toEqual([]);
});
