import { expect, type Page } from '@playwright/test';
import { OWNER } from './owner';

/** Signs in through the login page (in Chinese, the default) and waits for the app shell. */
export async function signInAsOwner(page: Page): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('邮箱').fill(OWNER.email);
  await page.getByLabel('密码').fill(OWNER.password);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('navigation', { name: '主导航' })).toBeVisible();
}

/** The signed-in user's name as the API reports it (the browser context shares the session cookie). */
export async function myName(page: Page): Promise<string> {
  const response = await page.request.get('/api/v1/me');
  expect(response.status()).toBe(200);
  const session = (await response.json()) as { user: { name: string } };
  return session.user.name;
}
