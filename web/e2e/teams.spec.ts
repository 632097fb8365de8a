import { expect, test } from '@playwright/test';
import { signInAsOwner } from './session';

test('an admin creates a team and it appears in the table', async ({ page }) => {
  const name = `售后支持 ${Date.now()}`;
  await signInAsOwner(page);
  await page.getByRole('navigation', { name: '主导航' }).getByRole('menuitem', { name: '团队' }).click();
  await expect(page.getByRole('heading', { name: '团队' })).toBeVisible();

  await page.getByRole('button', { name: '新建团队' }).click();
  const dialog = page.getByRole('dialog', { name: '新建团队' });
  await dialog.getByLabel('名称').fill(name);
  await dialog.getByLabel('描述').fill('处理退换货与保修');
  await dialog.getByRole('button', { name: '新建团队' }).click();
  await expect(dialog).toBeHidden();

  const row = page.getByRole('row', { name: new RegExp(name) });
  await expect(row).toBeVisible();
  await expect(row.getByRole('cell', { name: '处理退换货与保修' })).toBeVisible();
  await expect(row.getByRole('cell', { name: '0', exact: true })).toBeVisible();
});

test('an admin adds a member to a team from the drawer', async ({ page }) => {
  const name = `夜班 ${Date.now()}`;
  await signInAsOwner(page);
  await page.goto('/teams');
  await page.getByRole('button', { name: '新建团队' }).click();
  const dialog = page.getByRole('dialog', { name: '新建团队' });
  await dialog.getByLabel('名称').fill(name);
  await dialog.getByRole('button', { name: '新建团队' }).click();
  await expect(dialog).toBeHidden();

  await page.getByRole('button', { name: `${name} 的成员` }).click();
  const drawer = page.getByRole('dialog', { name: `${name} · 成员` });
  const picker = drawer.getByRole('combobox', { name: '选择要添加的成员' });
  await picker.fill('owner@example.com');
  await picker.press('Enter');
  await drawer.getByRole('button', { name: '添加' }).click();
  await expect(drawer.getByText('owner@example.com')).toBeVisible();
  await drawer.getByRole('button', { name: 'Close' }).or(drawer.getByRole('button', { name: '关闭' })).click();
  await expect(page.getByRole('row', { name: new RegExp(name) }).getByRole('cell', { name: '1', exact: true })).toBeVisible();
});
