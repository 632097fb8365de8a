import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { jsonResponse, renderApp } from '../../test/renderApp';
import { on, serve, sessionOf, user } from '../../test/fakeServer';
import { setLocale } from '../../i18n';
import { setCsrfToken } from '../../api/client';

const owner = user();
const agent = user({ id: 2, email: 'agent@example.com', name: 'Li Lei', role: 'agent' });
const team = { id: 5, name: 'Support', description: 'Refunds and repairs', member_count: 1, created_at: '2026-11-21T05:11:23.123Z' };
const routes = (me: ReturnType<typeof user>) => [
  on('GET', '/api/v1/me', () => jsonResponse(200, sessionOf(me))),
  on('GET', '/api/v1/teams', () => jsonResponse(200, { items: [team], next_cursor: null })),
  on('GET', '/api/v1/users', () => jsonResponse(200, { items: [owner, agent], next_cursor: null })),
  on('GET', '/api/v1/teams/5/members', () =>
    jsonResponse(200, { items: [{ team_id: 5, user: agent, added_at: '2026-11-21T05:11:23.123Z' }], next_cursor: null }),
  ),
];

beforeEach(async () => {
  localStorage.clear();
  await setLocale('zh-CN');
});

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

describe('TeamsPage', () => {
  it('lists teams with their member count and shows members in a drawer', async () => {
    serve(...routes(owner));
    renderApp('/teams');
    const row = (await screen.findByText('Refunds and repairs')).closest('tr') as HTMLElement;
    expect(within(row).getByText('1')).toBeInTheDocument();
    await userEvent.setup({ delay: null }).click(within(row).getByText('Support'));
    const drawer = await screen.findByRole('dialog');
    expect(await within(drawer).findByText('Li Lei')).toBeInTheDocument();
    expect(within(drawer).getByRole('button', { name: '移除 Li Lei' })).toBeInTheDocument();
  });

  it('hides the management controls from agents', async () => {
    serve(...routes(agent));
    renderApp('/teams');
    await screen.findByText('Refunds and repairs');
    const buttons = screen.getAllByRole('button').map((button) => button.getAttribute('aria-label') ?? button.textContent);
    expect(buttons).toContain('Support 的成员');
    expect(buttons).not.toContain('编辑 Support');
    expect(buttons).not.toContain('删除 Support');
    expect(buttons.some((name) => name?.includes('新建团队'))).toBe(false);
    await userEvent.setup({ delay: null }).click(screen.getByRole('button', { name: 'Support 的成员' }));
    const drawer = await screen.findByRole('dialog');
    expect(await within(drawer).findByText('Li Lei')).toBeInTheDocument();
    expect(within(drawer).queryByRole('button', { name: '移除 Li Lei' })).not.toBeInTheDocument();
  });
});
