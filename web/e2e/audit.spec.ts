import { expect, test } from '@playwright/test';
import { myName, signInAsOwner } from './session';

test('an admin finds their own change in the audit log', async ({ page }) => {
  const name = `审计团队 ${Date.now()}`;
  await signInAsOwner(page);
  await page.goto('/teams');
  await page.getByRole('button', { name: '新建团队' }).click();
  const dialog = page.getByRole('dialog', { name: '新建团队' });
  await dialog.getByLabel('名称').fill(name);
  await dialog.getByRole('button', { name: '新建团队' }).click();
  await expect(dialog).toBeHidden();

  await page.getByRole('navigation', { name: '主导航' }).getByRole('menuitem', { name: '审计日志' }).click();
  await expect(page.getByRole('heading', { name: '审计日志' })).toBeVisible();
  // The server recorded the change with the change itself; the page names who, what and which.
  const row = page.getByRole('row', { name: new RegExp(name) });
  await expect(row).toBeVisible();
  await expect(row.getByRole('cell', { name: '创建了团队' })).toBeVisible();
  await expect(row.getByRole('cell', { name: await myName(page) })).toBeVisible();
  // Newest first: this team is the first row of the table body.
  await expect(page.getByRole('row').nth(1)).toContainText(name);
});
