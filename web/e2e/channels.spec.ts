import { expect, test } from '@playwright/test';
import { signInAsOwner } from './session';

test('an admin creates a channel with a pre-chat form field, sees the snippet and adds an entry point', async ({ page }) => {
  const name = `商城 ${Date.now()}`;
  await signInAsOwner(page);
  await page.getByRole('navigation', { name: '主导航' }).getByRole('menuitem', { name: '渠道' }).click();
  await expect(page.getByRole('heading', { name: '渠道' })).toBeVisible();

  await page.getByRole('button', { name: '新建渠道' }).click();
  const dialog = page.getByRole('dialog', { name: '新建网页挂件渠道' });
  await dialog.getByLabel('名称', { exact: true }).fill(name);
  await dialog.getByRole('button', { name: '添加字段' }).click();
  await dialog.getByLabel('第 1 个字段的字段名').fill('company');
  await dialog.getByLabel('第 1 个字段的显示名称').fill('公司名称');
  await dialog.getByLabel('第 1 个字段必填').check();
  await dialog.getByRole('button', { name: '新建渠道' }).click();
  await expect(dialog).toBeHidden();

  // The new channel's page: snippet, H5 link and the form field.
  await expect(page.getByRole('heading', { name })).toBeVisible();
  const snippet = page.getByLabel('网页挂件代码', { exact: true });
  await expect(snippet).toContainText('/widget.js');
  await expect(snippet).toContainText('data-channel="ch_');
  await expect(page.getByLabel('H5 链接', { exact: true })).toContainText('/chat/ch_');
  await expect(page.getByText('公司名称')).toBeVisible();
  await expect(page.getByText('company', { exact: true })).toBeVisible();

  // The identity secret stays masked until asked for.
  const secret = page.getByLabel('身份密钥', { exact: true });
  await expect(secret).not.toContainText(/[0-9a-f]{16}/);
  await page.getByRole('button', { name: '显示' }).click();
  await expect(secret).toHaveText(/^[0-9a-f]{32,}$/);

  // An entry point.
  await page.getByRole('button', { name: '添加入口' }).click();
  const entry = page.getByRole('dialog', { name: '添加入口' });
  await entry.getByLabel('标识').fill('spring-sale');
  await entry.getByLabel('名称').fill('春季促销');
  await entry.getByLabel('活动').fill('spring-2026');
  await entry.getByLabel('广告计划').fill('baidu-a');
  await entry.getByLabel('业务模块').fill('mall');
  await entry.getByLabel('落地页').fill('https://shop.example.com/spring');
  await entry.getByRole('button', { name: '添加入口' }).click();
  await expect(entry).toBeHidden();
  const row = page.getByRole('row', { name: /spring-sale/ });
  await expect(row).toContainText('春季促销');
  await expect(row).toContainText('spring-2026');
  await expect(row).toContainText('baidu-a');

  // A duplicate key is reported on the key field.
  await page.getByRole('button', { name: '添加入口' }).click();
  await entry.getByLabel('标识').fill('spring-sale');
  await entry.getByLabel('名称').fill('重复');
  await entry.getByRole('button', { name: '添加入口' }).click();
  await expect(entry.getByText('该渠道已有相同标识的入口')).toBeVisible();
  await entry.getByRole('button', { name: '取消' }).click();

  // Deleting the entry point.
  await row.getByRole('button', { name: '删除入口 春季促销' }).click();
  await page.getByRole('button', { name: '删除', exact: true }).click();
  await expect(page.getByRole('row', { name: /spring-sale/ })).toHaveCount(0);

  // The list shows the channel.
  await page.getByRole('link', { name: '全部渠道' }).click();
  await expect(page.getByRole('row', { name: new RegExp(name) })).toContainText('1 个字段');
});

test('server validation errors of the pre-chat form appear on the field they name', async ({ page }) => {
  await signInAsOwner(page);
  await page.goto('/channels');
  await page.getByRole('button', { name: '新建渠道' }).click();
  const dialog = page.getByRole('dialog', { name: '新建网页挂件渠道' });
  await dialog.getByLabel('名称', { exact: true }).fill(`重复字段 ${Date.now()}`);
  await dialog.getByRole('button', { name: '添加字段' }).click();
  await dialog.getByLabel('第 1 个字段的字段名').fill('email');
  await dialog.getByLabel('第 1 个字段的显示名称').fill('邮箱');
  await dialog.getByRole('button', { name: '添加字段' }).click();
  await dialog.getByLabel('第 2 个字段的字段名').fill('email');
  await dialog.getByLabel('第 2 个字段的显示名称').fill('备用邮箱');
  await dialog.getByRole('button', { name: '新建渠道' }).click();

  // settings.pre_chat_form[1].name: the second field's name, not the first.
  const fields = dialog.getByTestId('pre-chat-field');
  await expect(fields.nth(1).getByText('is used by another field')).toBeVisible();
  await expect(fields.nth(0).getByText('is used by another field')).toHaveCount(0);
  await expect(dialog).toBeVisible();
});
