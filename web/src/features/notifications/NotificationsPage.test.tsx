import { describe, expect, it } from 'vitest';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { errorResponse, jsonResponse, renderApp } from '../../test/renderApp';
import { on, serve, user, type Route } from '../../test/fakeServer';
import { pageTests, ticketRoutes } from '../../test/ticketFixtures';
import { FIELDS } from '../../test/routingFields';
import { pickOption } from '../../test/select';

const owner = user();
const agent = user({ id: 2, email: 'agent@example.com', name: 'Li Lei', role: 'agent' });

const POLICY = {
  max_per_ticket: 3,
  max_per_kind: 1,
  quiet_period_minutes: 30,
  dnd: null,
  consent_required: ['email', 'sms', 'im'],
  learn_preference: true,
  preference_min_tries: 3,
  confirm_timeout_minutes: 30,
  max_unconfirmed_retries: 1,
  max_attempts: 3,
  mask_phones: true,
  mask_emails: true,
  mask_addresses: true,
};

const SMS = {
  id: 1,
  kind: 'aliyun_sms',
  medium: 'sms',
  name: '阿里云短信',
  config: { sign_name: '迎客', template_code: 'SMS_1' },
  secrets: { access_key_id: '••••id', access_key_secret: '••••et' },
  enabled: true,
  position: 0,
  receipt_url: 'https://kf.example.com/n/r/1/1/tok',
  created_at: 1,
  updated_at: 1,
};

const TEMPLATE = {
  id: 1,
  key: 'status_changed',
  locale: 'zh-CN',
  audience: 'any',
  category_id: 0,
  medium: 'any',
  subject: '工单 {{ ticket.number }} 状态更新',
  body: '您的工单状态：{{ ticket.status }}',
};
const TEMPLATES = { items: [TEMPLATE], variables: { 'ticket.number': 'ticket number', 'ticket.status': "current state's name" } };

/** The layout's and this page's lookups, with `more` answering first. */
function routes(me = owner, ...more: Route[]): Route[] {
  return ticketRoutes(
    me,
    ...more,
    on('GET', '/api/v1/me/notifications/unread', () => jsonResponse(200, { count: 0 })),
    on('GET', '/api/v1/routing/fields', () => jsonResponse(200, { items: FIELDS })),
    on('GET', '/api/v1/notifications/templates', () => jsonResponse(200, TEMPLATES)),
    on('GET', '/api/v1/notifications/channels', () => jsonResponse(200, { items: [SMS] })),
  );
}

function formItem(label: HTMLElement): HTMLElement {
  return label.closest('.ant-form-item') as HTMLElement;
}

pageTests();

describe('NotificationsPage', () => {
  it('is for admins only', async () => {
    serve(...routes(agent));
    renderApp('/notifications/policy');
    expect(await screen.findByText('只有管理员可以管理通知设置', {}, { timeout: 10_000 })).toBeInTheDocument();
  });

  it('saves the policy with do-not-disturb hours in minutes and shows the API errors on their fields', async () => {
    const fetchMock = serve(
      ...routes(
        owner,
        on('GET', '/api/v1/notifications/policy', () => jsonResponse(200, POLICY)),
        on('PUT', '/api/v1/notifications/policy', () =>
          errorResponse(422, 'validation_failed', {}, [
            { field: 'quiet_period_minutes', message: 'must be at most a week' },
            { field: 'dnd.start_minute', message: 'must be below 1440' },
          ]),
        ),
      ),
    );
    renderApp('/notifications/policy');
    const typist = userEvent.setup({ delay: null });
    const quiet = await screen.findByLabelText('静默期', {}, { timeout: 10_000 });
    await waitFor(() => expect(quiet).toHaveValue('30'));
    await typist.clear(quiet);
    await typist.type(quiet, '20000');
    await typist.click(screen.getByRole('switch', { name: '免打扰时段' }));
    expect(screen.getByLabelText('开始')).toHaveValue('22:00');
    await typist.click(screen.getByRole('button', { name: '保存' }));

    expect(await within(formItem(screen.getByText('静默期'))).findByText('must be at most a week')).toBeInTheDocument();
    expect(within(formItem(screen.getByText('开始'))).getByText('must be below 1440')).toBeInTheDocument();
    const put = fetchMock.mock.calls.map(([r]) => r).find((r) => r.method === 'PUT');
    expect(await put?.json()).toEqual({ ...POLICY, quiet_period_minutes: 20000, dnd: { start_minute: 1320, end_minute: 480 } });
  });

  it('shows channel secrets masked, sends back only a changed secret, and shows a test send result', async () => {
    const fetchMock = serve(
      ...routes(
        owner,
        on('PUT', '/api/v1/notifications/channels/1', () => jsonResponse(200, SMS)),
        on('POST', '/api/v1/notifications/channels/1/test', () =>
          jsonResponse(200, { ok: false, error: 'isv.BUSINESS_LIMIT_CONTROL', response: '{"Code":"isv.BUSINESS_LIMIT_CONTROL"}' }),
        ),
      ),
    );
    renderApp('/notifications/channels');
    const typist = userEvent.setup({ delay: null });
    const row = (await screen.findByText('阿里云短信', { selector: 'td' }, { timeout: 10_000 })).closest('tr') as HTMLElement;
    expect(within(row).getByText('••••et')).toBeInTheDocument();
    expect(within(row).getByText('••••id')).toBeInTheDocument();

    await typist.click(within(row).getByRole('button', { name: '编辑 阿里云短信' }));
    const dialog = await screen.findByRole('dialog', { name: '编辑渠道' });
    expect(within(dialog).getByLabelText('AccessKey Secret')).toHaveValue('');
    expect(within(dialog).getByText('已设置（••••et），留空保持不变')).toBeInTheDocument();
    await typist.click(within(dialog).getByLabelText('AccessKey ID'));
    await typist.paste('LTAI-NEW');
    await typist.click(within(dialog).getByRole('button', { name: '保存' }));
    await waitFor(() => expect(screen.queryByRole('dialog', { name: '编辑渠道' })).not.toBeInTheDocument());
    const put = fetchMock.mock.calls.map(([r]) => r).find((r) => r.method === 'PUT');
    expect(await put?.json()).toEqual({
      name: '阿里云短信',
      config: { sign_name: '迎客', template_code: 'SMS_1' },
      secrets: { access_key_id: 'LTAI-NEW' },
      enabled: true,
      position: 0,
    });

    await typist.click(within(row).getByRole('button', { name: '向 阿里云短信 发送测试' }));
    // (Found by its title: under test, antd gives every dialog title the same id.)
    const test = (await screen.findByText('测试渠道：阿里云短信')).closest('.ant-modal') as HTMLElement;
    await typist.click(within(test).getByLabelText('手机号'));
    await typist.paste('13800000000');
    await typist.click(within(test).getByRole('button', { name: '发送' }));
    expect(await within(test).findByText('发送失败：isv.BUSINESS_LIMIT_CONTROL')).toBeInTheDocument();
    expect(within(test).getByText('{"Code":"isv.BUSINESS_LIMIT_CONTROL"}')).toBeInTheDocument();
    const post = fetchMock.mock.calls.map(([r]) => r).find((r) => r.url.endsWith('/test'));
    expect(await post?.json()).toEqual({ to: '13800000000' });
  });

  it('creates a rule with its media in the chosen order and shows refused fields', async () => {
    const fetchMock = serve(
      ...routes(
        owner,
        on('GET', '/api/v1/notifications/rules', () => jsonResponse(200, { items: [] })),
        on('POST', '/api/v1/notifications/rules', () =>
          errorResponse(422, 'validation_failed', {}, [{ field: 'recipients', message: 'must name at least one recipient or group channel' }]),
        ),
      ),
    );
    renderApp('/notifications/rules');
    const typist = userEvent.setup({ delay: null });
    await typist.click(await screen.findByRole('button', { name: /新建规则/ }, { timeout: 10_000 }));
    const drawer = await screen.findByRole('dialog', { name: '新建规则' });
    await typist.type(await within(drawer).findByLabelText('名称'), '解决后通知客户');
    // The condition editor over the ticket catalogue.
    expect(within(drawer).getByRole('group', { name: '全部条件' })).toBeInTheDocument();
    await typist.click(within(drawer).getByRole('button', { name: '上移 邮件' }));
    await typist.click(within(drawer).getByRole('checkbox', { name: '客户' }));
    await typist.click(within(drawer).getByRole('button', { name: '保存' }));

    expect(await within(formItem(within(drawer).getByText('接收人'))).findByText('must name at least one recipient or group channel')).toBeInTheDocument();
    const post = fetchMock.mock.calls.map(([r]) => r).find((r) => r.method === 'POST');
    expect(await post?.json()).toEqual({
      spec: {
        name: '解决后通知客户',
        trigger: 'ticket_status_changed',
        to_kinds: [],
        metrics: [],
        notice_kind: 'status',
        recipients: [],
        group_channels: [],
        template: 'status_changed',
        media: ['email', 'in_app'],
        important: false,
        attach_files: false,
        conditions: { all: [] },
      },
      position: 0,
      active: true,
    });
  });

  it('keeps a rule\'s attached files on when saved untouched, and turns them off with the switch', async () => {
    const RULE = {
      id: 7,
      position: 2,
      active: true,
      name: '工单已解决',
      trigger: 'ticket_resolved',
      to_kinds: [],
      metrics: [],
      notice_kind: 'resolution',
      conditions: { all: [] },
      recipients: ['customer'],
      group_channels: [],
      template: 'status_changed',
      media: ['email', 'in_app'],
      important: false,
      attach_files: true,
    };
    const fetchMock = serve(
      ...routes(
        owner,
        on('GET', '/api/v1/notifications/rules', () => jsonResponse(200, { items: [RULE] })),
        on('PUT', '/api/v1/notifications/rules/7', () => jsonResponse(200, RULE)),
      ),
    );
    renderApp('/notifications/rules');
    const typist = userEvent.setup({ delay: null });
    const row = (await screen.findByText('工单已解决', {}, { timeout: 10_000 })).closest('tr') as HTMLElement;
    expect(within(row).getByText('附件')).toBeInTheDocument();
    const puts = async () => {
      const all = fetchMock.mock.calls.map(([r]) => r).filter((r) => r.method === 'PUT');
      return Promise.all(all.map((r) => r.clone().json() as Promise<{ spec: Record<string, unknown> }>));
    };

    // Saved without touching the switch: the files stay attached.
    await typist.click(within(row).getByRole('button', { name: '编辑 工单已解决' }));
    let drawer = await screen.findByRole('dialog', { name: '编辑规则' });
    const attach = await within(drawer).findByRole('switch', { name: '邮件附带附件' });
    await waitFor(() => expect(attach).toBeChecked());
    expect(within(drawer).getByText('邮件通知附带处理人最近一次公开回复中的附件，每个文件只发送一次，合计不超过 10 MB；短信和 IM 不带附件。')).toBeInTheDocument();
    await typist.click(within(drawer).getByRole('button', { name: '保存' }));
    await waitFor(async () => expect(await puts()).toHaveLength(1));
    const [first] = await puts();
    expect(first).toEqual({
      spec: {
        name: '工单已解决',
        trigger: 'ticket_resolved',
        to_kinds: [],
        metrics: [],
        notice_kind: 'resolution',
        recipients: ['customer'],
        group_channels: [],
        template: 'status_changed',
        media: ['email', 'in_app'],
        important: false,
        attach_files: true,
        conditions: { all: [] },
      },
      position: 2,
      active: true,
    });
    await waitFor(() => expect(screen.queryByRole('dialog', { name: '编辑规则' })).not.toBeInTheDocument());

    // Switched off: the body says so.
    const rowAgain = screen.getByText('工单已解决', { selector: 'td *' }).closest('tr') as HTMLElement;
    await typist.click(within(rowAgain).getByRole('button', { name: '编辑 工单已解决' }));
    drawer = await screen.findByRole('dialog', { name: '编辑规则' });
    const again = await within(drawer).findByRole('switch', { name: '邮件附带附件' });
    await waitFor(() => expect(again).toBeChecked());
    await typist.click(again);
    expect(again).not.toBeChecked();
    await typist.click(within(drawer).getByRole('button', { name: '保存' }));
    await waitFor(async () => expect(await puts()).toHaveLength(2));
    expect((await puts())[1].spec.attach_files).toBe(false);
  });

  it('previews a template as text, asking once per pause in typing', async () => {
    const previews: Array<{ body: string }> = [];
    serve(
      ...routes(
        owner,
        on('POST', '/api/v1/notifications/templates/preview', (request) => {
          void request.json().then((b: { body: string }) => previews.push(b));
          return jsonResponse(200, { subject: '工单 T-2026001 状态更新', body: '<b>您的工单</b>状态：处理中', variables: {} });
        }),
      ),
    );
    renderApp('/notifications/templates');
    const typist = userEvent.setup({ delay: null });
    const row = (await screen.findByText('status_changed', { selector: 'code' }, { timeout: 10_000 })).closest('tr') as HTMLElement;
    await typist.click(within(row).getByRole('button', { name: '编辑 status_changed · zh-CN · any' }));
    const drawer = await screen.findByRole('dialog', { name: '编辑模板' });
    const preview = within(drawer).getByTestId('template-preview');
    // Rendered markup is shown as text, never as HTML.
    expect(await within(preview).findByText('<b>您的工单</b>状态：处理中', {}, { timeout: 3000 })).toBeInTheDocument();
    expect(preview.querySelector('b')).toBeNull();
    expect(within(preview).getByText('工单 T-2026001 状态更新')).toBeInTheDocument();
    const before = previews.length;

    // Several keystrokes, one request.
    await typist.type(within(drawer).getByLabelText('正文'), '，谢谢');
    await waitFor(() => expect(previews.length).toBe(before + 1), { timeout: 3000 });
    await new Promise((r) => setTimeout(r, 600));
    expect(previews.length).toBe(before + 1);
    expect(previews.at(-1)?.body).toBe('您的工单状态：{{ ticket.status }}，谢谢');
  });

  it('lists compile errors of the preview with their line and column', async () => {
    serve(
      ...routes(
        owner,
        on('POST', '/api/v1/notifications/templates/preview', () =>
          errorResponse(422, 'validation_failed', {}, [{ field: 'body', message: 'line 2, column 4: unknown variable ticket.nope' }]),
        ),
      ),
    );
    renderApp('/notifications/templates');
    const typist = userEvent.setup({ delay: null });
    await typist.click(await screen.findByRole('button', { name: /新建模板/ }, { timeout: 10_000 }));
    const drawer = await screen.findByRole('dialog', { name: '新建模板' });
    fireEvent.change(within(drawer).getByLabelText('正文'), { target: { value: '您好\n{{ ticket.nope }}' } });
    expect(await within(drawer).findByText('正文 第 2 行第 4 列：unknown variable ticket.nope', {}, { timeout: 3000 })).toBeInTheDocument();
  });

  it('shows deliveries with why a notice was skipped and the provider response, filtered by status', async () => {
    const queries: string[] = [];
    serve(
      ...routes(
        owner,
        on('GET', '/api/v1/notifications/deliveries', (request) => {
          queries.push(new URL(request.url).search);
          return jsonResponse(200, {
            items: [
              {
                id: 11,
                notice_key: 'k1',
                ticket_id: 31,
                rule_id: 1,
                notice_kind: 'status',
                recipient_kind: 'customer',
                contact_id: 8,
                user_id: null,
                medium: 'email',
                channel_id: null,
                subject: '工单状态更新',
                body: '处理中',
                params: {},
                important: false,
                status: 'skipped',
                skip_reason: { reason: 'quiet_period', last_at: 1, until: 2 },
                attempts: 0,
                created_at: 1_763_700_000_000,
              },
              {
                id: 12,
                notice_key: 'k2',
                ticket_id: 31,
                rule_id: 1,
                notice_kind: 'resolution',
                recipient_kind: 'customer',
                contact_id: 8,
                user_id: null,
                medium: 'sms',
                channel_id: 1,
                subject: '',
                body: '您的工单已解决',
                params: {},
                important: true,
                status: 'failed',
                skip_reason: null,
                attempts: 3,
                last_error: 'isv.MOBILE_NUMBER_ILLEGAL',
                last_response: '{"Code":"isv.MOBILE_NUMBER_ILLEGAL"}',
                created_at: 1_763_700_100_000,
              },
            ],
          });
        }),
      ),
    );
    renderApp('/notifications/deliveries');
    const typist = userEvent.setup({ delay: null });
    expect(await screen.findByText('处于静默期', {}, { timeout: 10_000 })).toBeInTheDocument();
    const failed = screen.getByText('您的工单已解决').closest('tr') as HTMLElement;
    expect(within(failed).getByText('失败')).toBeInTheDocument();
    await typist.click(within(failed).getByRole('button', { name: /展开行|Expand row/ }));
    expect(await screen.findByText('{"Code":"isv.MOBILE_NUMBER_ILLEGAL"}')).toBeInTheDocument();

    await pickOption(typist, screen.getByRole('combobox', { name: '状态' }), '未发送');
    await waitFor(() => expect(queries.at(-1)).toContain('status=skipped'));
  });

  it('loads older deliveries before the oldest one shown', async () => {
    const delivery = (id: number, subject: string) => ({
      id,
      notice_key: `k${id}`,
      ticket_id: 31,
      recipient_kind: 'customer',
      medium: 'in_app',
      subject,
      body: subject,
      params: {},
      important: false,
      status: 'delivered',
      attempts: 1,
      created_at: 1_763_700_000_000 + id,
    });
    const befores: Array<string | null> = [];
    serve(
      ...routes(
        owner,
        on('GET', '/api/v1/notifications/deliveries', (request) => {
          const before = new URL(request.url).searchParams.get('before');
          befores.push(before);
          return jsonResponse(200, {
            items: before === null ? Array.from({ length: 50 }, (_, i) => delivery(200 - i, `新通知 ${200 - i}`)) : [delivery(12, '更早的通知')],
          });
        }),
      ),
    );
    renderApp('/notifications/deliveries');
    const typist = userEvent.setup({ delay: null });
    expect(await screen.findByText('新通知 151', {}, { timeout: 10_000 })).toBeInTheDocument();
    await typist.click(screen.getByRole('button', { name: '加载更早的记录' }));
    expect(await screen.findByText('更早的通知')).toBeInTheDocument();
    expect(befores).toEqual([null, '151']);
    expect(screen.getByText('新通知 200')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: '加载更早的记录' })).not.toBeInTheDocument();
  });
});
