import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { jsonResponse } from '../../test/renderApp';
import { on, serve } from '../../test/fakeServer';
import { renderSignedIn } from '../../test/renderSignedIn';
import { agent, baseRoutes, todo } from '../../test/todoFixtures';
import { setCsrfToken } from '../../api/client';
import { ContactTodos } from './ContactTodos';
import { AutomationButtons } from './AutomationButtons';

const conversation = { id: 30, number: 1024, contact_id: 7 };

beforeEach(() => setCsrfToken('tok'));
afterEach(() => vi.unstubAllGlobals());

describe('ContactTodos', () => {
  it("lists the contact's open to-dos and turns the conversation into a to-do in one click", async () => {
    const posts: unknown[] = [];
    const lists: string[] = [];
    serve(
      ...baseRoutes(
        agent,
        on('GET', '/api/v1/todos', (req) => {
          lists.push(new URL(req.url).search);
          return jsonResponse(200, { items: [todo({ id: 5, title: '回访张三' })] });
        }),
        on('POST', '/api/v1/todos', (req) => {
          void req.json().then((b) => posts.push(b));
          return jsonResponse(201, todo({ id: 6, title: '跟进会话 #1024' }));
        }),
      ),
    );
    renderSignedIn(<ContactTodos conversation={conversation} />, agent);
    expect(await screen.findByText('回访张三', {}, { timeout: 10_000 })).toBeInTheDocument();
    expect(lists[0]).toContain('contact_id=7');
    expect(lists[0]).toContain('view=mine');
    await userEvent.setup({ delay: null }).click(screen.getByRole('button', { name: /转为待办/ }));
    // The server captures the conversation's summary and fields from its id.
    await waitFor(() => expect(posts).toEqual([{ conversation_id: 30, title: '跟进会话 #1024' }]));
    expect(await screen.findByText('已创建待办“跟进会话 #1024”')).toBeInTheDocument();
  });
});

describe('AutomationButtons', () => {
  it("shows the account's buttons and what pressing one did", async () => {
    const pressed: string[] = [];
    serve(
      ...baseRoutes(
        agent,
        on('GET', '/api/v1/automation/buttons', () =>
          jsonResponse(200, { items: [{ key: 'needs_follow_up', rule_id: 3, name: '需要回访', goal: '降低漏回访率' }] }),
        ),
        on('POST', '/api/v1/conversations/30/buttons/needs_follow_up', (req) => {
          pressed.push(req.url);
          return jsonResponse(200, { items: [{ rule_id: 3, outcome: 'done', reason: null, todo_ids: [41] }] });
        }),
      ),
    );
    renderSignedIn(<AutomationButtons conversationId={30} />, agent);
    await userEvent.setup({ delay: null }).click(await screen.findByRole('button', { name: /需要回访/ }, { timeout: 10_000 }));
    expect(await screen.findByText('已生成 1 条待办')).toBeInTheDocument();
    expect(pressed).toHaveLength(1);
  });

  it('shows why a press did nothing', async () => {
    serve(
      ...baseRoutes(
        agent,
        on('GET', '/api/v1/automation/buttons', () => jsonResponse(200, { items: [{ key: 'vip', rule_id: 3, name: 'VIP 跟进', goal: '' }] })),
        on('POST', '/api/v1/conversations/30/buttons/vip', () =>
          jsonResponse(200, { items: [{ rule_id: 3, outcome: 'suppressed', reason: 'ran for this contact 2 days ago', todo_ids: [] }] }),
        ),
      ),
    );
    renderSignedIn(<AutomationButtons conversationId={30} />, agent);
    await userEvent.setup({ delay: null }).click(await screen.findByRole('button', { name: /VIP 跟进/ }, { timeout: 10_000 }));
    expect(await screen.findByText('频率限制: ran for this contact 2 days ago')).toBeInTheDocument();
  });

  it('renders nothing without button rules', async () => {
    serve(...baseRoutes(agent, on('GET', '/api/v1/automation/buttons', () => jsonResponse(200, { items: [] }))));
    const { container } = renderSignedIn(<AutomationButtons conversationId={30} />, agent);
    await new Promise((r) => setTimeout(r, 50));
    expect(container.querySelector('button')).toBeNull();
  });
});
