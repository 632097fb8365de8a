import { expect, type APIRequestContext, type Page } from '@playwright/test';

/** The CSRF token of the page's signed-in session (cookie-authenticated mutations need it). */
export async function csrfToken(request: APIRequestContext): Promise<string> {
  const response = await request.get('/api/v1/me');
  expect(response.status()).toBe(200);
  const session = (await response.json()) as { csrf_token: string };
  return session.csrf_token;
}

export type CreatedChannel = { id: number; name: string; public_key: string; h5_url: string; widget_snippet: string };

/** Creates a web-widget channel through the API as the signed-in user. */
export async function createChannel(page: Page, name: string, settings: Record<string, unknown> = {}): Promise<CreatedChannel> {
  const token = await csrfToken(page.request);
  const response = await page.request.post('/api/v1/channels', {
    data: { name, settings },
    headers: { 'X-CSRF-Token': token },
  });
  expect(response.status()).toBe(201);
  return (await response.json()) as CreatedChannel;
}

/**
 * Puts the signed-in user online with room for every conversation of the run: routing assigns
 * new conversations to available agents, and conversations other specs leave open would
 * otherwise fill the default capacity.
 */
export async function beAvailable(page: Page): Promise<void> {
  const me = (await (await page.request.get('/api/v1/me')).json()) as { user: { id: number } };
  const response = await page.request.patch(`/api/v1/agents/${me.user.id}`, {
    data: { status: 'online', capacity: 1000 },
    headers: { 'X-CSRF-Token': await csrfToken(page.request) },
  });
  expect(response.status()).toBe(200);
}
