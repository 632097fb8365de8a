import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { jsonResponse, renderApp } from '../../test/renderApp';
import { on, serve, sessionOf, user } from '../../test/fakeServer';
import { setLocale } from '../../i18n';
import { setCsrfToken } from '../../api/client';

const owner = user();
const agent = user({ id: 2, email: 'agent@example.com', name: 'Li Lei', role: 'agent' });
const channel = {
  id: 4,
  kind: 'web_widget',
  name: '官网',
  public_key: 'ch_abc',
  settings: {
    greeting: '您好',
    colour: '#123456',
    locale: 'zh-CN',
    pre_chat_form: [{ name: 'plan', label: '套餐', kind: 'select', required: true, options: ['基础版', '专业版'] }],
  },
  widget_snippet: '<script src="http://host/widget.js" data-channel="ch_abc" async></script>',
  h5_url: 'http://host/chat/ch_abc',
  created_at: '2026-11-21T05:00:00.000Z',
};
const entry = {
  id: 9,
  channel_id: 4,
  key: 'spring-sale',
  name: '春季促销',
  campaign: 'spring',
  ad_plan: '',
  business_module: 'mall',
  landing_page: 'https://shop.example.com/spring',
  created_at: '2026-11-21T05:00:00.000Z',
};

function routes(me: ReturnType<typeof user>) {
  return [
    on('GET', '/api/v1/me', () => jsonResponse(200, sessionOf(me))),
    on('GET', '/api/v1/channels/4', () => jsonResponse(200, channel)),
    on('GET', '/api/v1/channels/4/entry-points', () => jsonResponse(200, [entry])),
    on('GET', '/api/v1/channels/4/identity-secret', () => jsonResponse(200, { identity_secret: 'a1b2c3d4e5f60718293a4b5c6d7e8f90' })),
  ];
}

beforeEach(async () => {
  localStorage.clear();
  await setLocale('zh-CN');
});

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

describe('ChannelPage', () => {
  it('shows the snippet, the H5 link, the form and entry points, and reveals the secret on request', async () => {
    const fetchMock = serve(...routes(owner));
    renderApp('/channels/4');
    // Text queries: role queries over this page are slow in jsdom.
    expect(await screen.findByText('官网', { selector: 'h4' }, { timeout: 8000 })).toBeInTheDocument();
    expect(screen.getByLabelText('网页挂件代码')).toHaveTextContent('data-channel="ch_abc"');
    expect(screen.getByLabelText('H5 链接')).toHaveTextContent('http://host/chat/ch_abc');
    expect(screen.getByText('套餐')).toBeInTheDocument();
    expect(screen.getByText('基础版 / 专业版')).toBeInTheDocument();
    const row = (await screen.findByText('spring-sale')).closest('tr') as HTMLElement;
    expect(within(row).getByText('春季促销')).toBeInTheDocument();

    const secret = screen.getByLabelText('身份密钥');
    expect(secret).not.toHaveTextContent('a1b2c3');
    const asked = () => fetchMock.mock.calls.filter(([r]) => r.url.endsWith('/identity-secret')).length;
    expect(asked()).toBe(0);
    await userEvent.setup({ delay: null }).click(screen.getByText('显示'));
    expect(await screen.findByText('a1b2c3d4e5f60718293a4b5c6d7e8f90')).toBeInTheDocument();
    expect(asked()).toBe(1);
    expect(screen.getByText('编辑设置')).toBeInTheDocument();
    // The card's button (and the hidden dialog's submit button) for admins.
    expect(screen.getAllByText('添加入口', { selector: 'button span' }).length).toBeGreaterThan(0);
  });

  it('is read-only for agents and hides the identity secret', async () => {
    serve(...routes(agent));
    renderApp('/channels/4');
    await screen.findByText('官网', { selector: 'h4' }, { timeout: 8000 });
    await screen.findByText('spring-sale');
    expect(screen.getByLabelText('网页挂件代码')).toBeInTheDocument();
    expect(screen.queryByText('编辑设置')).not.toBeInTheDocument();
    expect(screen.queryByText('添加入口')).not.toBeInTheDocument();
    expect(screen.queryByLabelText('删除入口 春季促销')).not.toBeInTheDocument();
    expect(screen.queryByText('身份验证')).not.toBeInTheDocument();
  });
});
