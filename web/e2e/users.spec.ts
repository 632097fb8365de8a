import { expect, test } from '@playwright/test';
import { signInAsOwner } from './session';

test('an admin creates a user; a duplicate e-mail is reported on the e-mail field', async ({ page }) => {
  const email = `agent-${Date.now()}@example.com`;
  await signInAsOwner(page);
  await page.goto('/users');

  await page.getByRole('button', { name: '添加成员' }).click();
  const dialog = page.getByRole('dialog', { name: '添加成员' });
  await dialog.getByLabel('邮箱').fill(email);
  await dialog.getByLabel('姓名').fill('李雷');
  await dialog.getByLabel('密码').fill('agent-password-123');
  await dialog.getByRole('button', { name: '添加成员' }).click();
  await expect(dialog).toBeHidden();
  const row = page.getByRole('row', { name: new RegExp(email) });
  await expect(row).toContainText('李雷');
  await expect(row).toContainText('客服');
  await expect(row).toContainText('正常');

  await page.getByRole('button', { name: '添加成员' }).click();
  await dialog.getByLabel('邮箱').fill(email);
  await dialog.getByLabel('姓名').fill('李雷 2');
  await dialog.getByLabel('密码').fill('agent-password-123');
  await dialog.getByRole('button', { name: '添加成员' }).click();
  await expect(dialog.getByText('该邮箱已被使用')).toBeVisible();
});
