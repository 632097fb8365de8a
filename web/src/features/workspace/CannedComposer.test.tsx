import { afterEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { QueryClientProvider } from '@tanstack/react-query';
import { createQueryClient } from '../../App';
import { Composer } from '../inbox/Composer';
import { jsonResponse } from '../../test/renderApp';
import { on, serve } from '../../test/fakeServer';
import { matchCanned, slashPrefix } from './canned';
import type { AgentSocket } from '../../realtime/AgentSocket';
import type { CannedResponse } from '../../api/types';

const CANNED: CannedResponse[] = [
  { id: 1, short_code: 'hi', content: '您好 {{contact.name}}，我是 {{agent.name}}', updated_at: '2026-11-21T05:00:00Z' },
  { id: 2, short_code: 'hello-long', content: 'Hello {{contact.name}}', updated_at: '2026-11-21T05:00:00Z' },
  { id: 3, short_code: 'refund', content: '退款将在 3 个工作日内到账', updated_at: '2026-11-21T05:00:00Z' },
];

describe('canned response matching', () => {
  it('opens only for "/code" with nothing else typed', () => {
    expect(slashPrefix('/')).toBe('');
    expect(slashPrefix('/ref')).toBe('ref');
    expect(slashPrefix('/ref ')).toBeNull();
    expect(slashPrefix('a/ref')).toBeNull();
  });

  it('matches short codes by prefix, shorter first', () => {
    expect(matchCanned(CANNED, 'H').map((c) => c.short_code)).toEqual(['hi', 'hello-long']);
    expect(matchCanned(CANNED, 'x')).toEqual([]);
  });
});

describe('"/" in the composer', () => {
  afterEach(() => vi.unstubAllGlobals());

  function renderComposer() {
    const socket = { typing: vi.fn(() => true), send: vi.fn() } as unknown as AgentSocket;
    const fetchMock = serve(
      on('GET', '/api/v1/canned-responses', () => jsonResponse(200, { items: CANNED })),
      on('POST', '/api/v1/conversations/7/canned-responses/1/render', () =>
        jsonResponse(200, { text: '您好 张三，我是 Wang Fang' }),
      ),
    );
    render(
      <QueryClientProvider client={createQueryClient()}>
        <Composer conversationId={7} socket={socket} onSent={vi.fn()} />
      </QueryClientProvider>,
    );
    return { socket, fetchMock };
  }

  it('offers the matching responses and fills the chosen one in, variables rendered by the server', async () => {
    const { socket } = renderComposer();
    const box = screen.getByRole('textbox', { name: '输入回复…' });
    await userEvent.type(box, '/h');
    const options = await screen.findAllByRole('option');
    expect(options.map((o) => o.textContent)).toEqual([
      '/hi您好 {{contact.name}}，我是 {{agent.name}}',
      '/hello-longHello {{contact.name}}',
    ]);
    expect(options[0]).toHaveAttribute('aria-selected', 'true');
    await userEvent.keyboard('{Enter}');
    await waitFor(() => expect(box).toHaveValue('您好 张三，我是 Wang Fang'));
    expect(screen.queryByRole('listbox')).not.toBeInTheDocument();
    // Enter picked the response; it did not send "/h".
    expect(socket.send).not.toHaveBeenCalled();
    await userEvent.keyboard('{Enter}');
    expect(socket.send).toHaveBeenCalledWith(expect.objectContaining({ conversation_id: 7, text: '您好 张三，我是 Wang Fang' }));
  });

  it('closes on Escape and sends what was typed', async () => {
    const { socket } = renderComposer();
    const box = screen.getByRole('textbox', { name: '输入回复…' });
    await userEvent.type(box, '/re');
    expect(await screen.findByRole('option', { name: /refund/ })).toBeInTheDocument();
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('listbox')).not.toBeInTheDocument();
    await userEvent.keyboard('{Enter}');
    expect(socket.send).toHaveBeenCalledWith(expect.objectContaining({ text: '/re' }));
  });
});
