import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { QueryClientProvider } from '@tanstack/react-query';
import { ConfigProvider } from 'antd';
import { createQueryClient } from '../../App';
import { Composer } from './Composer';
import { MessageItem } from './MessageItem';
import { mentionCandidates, mentionHandles, splitMentions } from './mentions';
import { jsonResponse } from '../../test/renderApp';
import { on, serve, user } from '../../test/fakeServer';
import type { AgentSocket } from '../../realtime/AgentSocket';
import type { Message, User } from '../../api/types';

const USERS = [
  user({ id: 1, name: 'Wang Fang', email: 'owner@example.com' }),
  user({ id: 2, name: '李雷', email: 'lilei@example.com', role: 'agent' }),
  user({ id: 3, name: 'Han Meimei', email: 'han@example.com', role: 'agent' }),
  user({ id: 4, name: '张三', email: 'gone@example.com', role: 'agent', active: false }),
] as User[];

describe('mentions as the server reads them', () => {
  const handles = ['张三', '张三丰', 'Ann', 'Anna Lee', 'nameless@example.com'];
  const mentioned = (text: string) => splitMentions(text, handles).filter((p) => p.mention).map((p) => p.text);

  it('finds @name and @email at the start of a word, the longest name first', () => {
    expect(mentioned('@张三 请看一下')).toEqual(['@张三']);
    expect(mentioned('@张三丰请看')).toEqual(['@张三丰']);
    expect(mentioned('@张三请看')).toEqual(['@张三']);
    expect(mentioned('cc @ann, @Anna Lee.')).toEqual(['@ann', '@Anna Lee']);
    expect(mentioned('@nameless@example.com 看')).toEqual(['@nameless@example.com']);
    expect(splitMentions('请 @张三 看', handles)).toEqual([
      { text: '请 ', mention: false },
      { text: '@张三', mention: true },
      { text: ' 看', mention: false },
    ]);
  });

  it('finds nothing inside words, in partial Latin names or after a lone @', () => {
    expect(mentioned('mail bob@ann.com')).toEqual([]);
    expect(mentioned('@Annabel')).toEqual([]);
    expect(mentioned('@ 张三')).toEqual([]);
    expect(mentioned('no at sign')).toEqual([]);
  });

  it('offers active people other than the author, by e-mail when a name is shared', () => {
    const people = [...USERS, user({ id: 5, name: 'han meimei', email: 'han2@example.com' }) as User];
    expect(mentionCandidates(people, 1).map((c) => c.handle)).toEqual(['李雷', 'han@example.com', 'han2@example.com']);
    expect(mentionHandles(USERS)).toContain('张三');
  });
});

describe('@ in the composer', () => {
  afterEach(() => vi.unstubAllGlobals());

  // Browsers give key events the legacy `keyCode` (React's `which`) that antd's Mentions reads for
  // arrows, Enter and Escape; user-event leaves it 0.
  const KEY_CODES: Record<string, number> = { Enter: 13, Escape: 27, ArrowUp: 38, ArrowDown: 40 };
  const keyCode = Object.getOwnPropertyDescriptor(KeyboardEvent.prototype, 'keyCode');
  beforeAll(() => {
    Object.defineProperty(KeyboardEvent.prototype, 'keyCode', {
      configurable: true,
      get(this: KeyboardEvent) {
        return KEY_CODES[this.key] ?? 0;
      },
    });
  });
  afterAll(() => {
    if (keyCode) Object.defineProperty(KeyboardEvent.prototype, 'keyCode', keyCode);
    else Reflect.deleteProperty(KeyboardEvent.prototype, 'keyCode');
  });

  // Each test its own conversation: the composer keeps drafts (and the mode) per conversation.
  function renderComposer(conversationId: number) {
    const socket = { typing: vi.fn(() => true), send: vi.fn() } as unknown as AgentSocket;
    serve(on('GET', '/api/v1/canned-responses', () => jsonResponse(200, { items: [] })));
    render(
      <QueryClientProvider client={createQueryClient()}>
        <ConfigProvider theme={{ token: { motion: false } }}>
          <Composer conversationId={conversationId} socket={socket} mentionable={mentionCandidates(USERS, 1)} onSent={vi.fn()} />
        </ConfigProvider>
      </QueryClientProvider>,
    );
    return { socket };
  }

  it('offers the account’s active people in a note and writes "@name " for the one picked', async () => {
    const { socket } = renderComposer(7);
    const typist = userEvent.setup({ delay: null });
    await typist.click(screen.getByRole('radio', { name: /内部备注/ }).closest('label') as HTMLElement);
    const box = screen.getByRole('textbox', { name: '写一条内部备注…' });
    await typist.type(box, '请 @');
    const menu = await screen.findByRole('menu');
    const names = within(menu).getAllByRole('menuitem').map((o) => o.textContent);
    // Not the author, not a deactivated user; each with their e-mail.
    expect(names).toEqual(['李雷lilei@example.com', 'Han Meimeihan@example.com']);

    // Typing narrows the list (by e-mail too); arrows move, Enter picks and does not send.
    await typist.type(box, 'h');
    await waitFor(() => expect(within(screen.getByRole('menu')).getAllByRole('menuitem').map((o) => o.textContent)).toEqual(['Han Meimeihan@example.com']));
    await typist.keyboard('{Backspace}{ArrowDown}{Enter}');
    await waitFor(() => expect(box).toHaveValue('请 @Han Meimei '));
    expect(socket.send).not.toHaveBeenCalled();
    await waitFor(() => expect(screen.queryByRole('menuitem')).not.toBeInTheDocument());

    // Escape closes the list; Enter then sends.
    await typist.type(box, '和 @李');
    expect(await screen.findByRole('menuitem', { name: /李雷/ })).toBeInTheDocument();
    await typist.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('menuitem')).not.toBeInTheDocument());
    await typist.keyboard('{Enter}');
    expect(socket.send).toHaveBeenCalledWith(expect.objectContaining({ conversation_id: 7, text: '请 @Han Meimei 和 @李', note: true }));
  });

  it('offers nobody in a reply to the visitor, and sends a note with "@" someone unknown at one Enter', async () => {
    const { socket } = renderComposer(8);
    const typist = userEvent.setup({ delay: null });
    const reply = screen.getByRole('textbox', { name: '输入回复…' });
    await typist.type(reply, '请 @李');
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.queryByRole('menuitem')).not.toBeInTheDocument();
    await typist.keyboard('{Enter}');
    expect(socket.send).toHaveBeenLastCalledWith(expect.not.objectContaining({ note: true }));
    expect(socket.send).toHaveBeenLastCalledWith(expect.objectContaining({ text: '请 @李' }));

    await typist.click(screen.getByRole('radio', { name: /内部备注/ }).closest('label') as HTMLElement);
    const box = screen.getByRole('textbox', { name: '写一条内部备注…' });
    await typist.type(box, '@nobody{Enter}');
    expect(socket.send).toHaveBeenLastCalledWith(expect.objectContaining({ text: '@nobody', note: true }));
  });
});

describe('mentions in notes', () => {
  const note = (text: string): Message => ({
    id: 1,
    conversation_id: 7,
    seq: 1,
    sender: { kind: 'agent', id: 1, name: 'Wang Fang' },
    kind: 'note',
    text,
    attachment: null,
    client_id: null,
    created_at: '2026-11-21T05:00:00.000Z',
  });

  it('highlights @name of a known user and keeps markup as text', () => {
    render(
      <MessageItem
        message={note('@李雷 看一下 <img src=x onerror=alert(1)> @路人')}
        read={false}
        contactName="张三"
        mentions={mentionHandles(USERS)}
      />,
    );
    const item = screen.getByTestId('message');
    expect(within(item).getAllByTestId('mention').map((m) => m.textContent)).toEqual(['@李雷']);
    expect(item.textContent).toContain(' 看一下 <img src=x onerror=alert(1)> @路人');
    expect(item.querySelector('img')).toBeNull();
  });

  it('highlights nothing in a message to or from the visitor', () => {
    render(
      <MessageItem
        message={{ ...note('@李雷 你好'), kind: 'text' }}
        read={false}
        contactName="张三"
        mentions={mentionHandles(USERS)}
      />,
    );
    expect(screen.queryByTestId('mention')).not.toBeInTheDocument();
  });
});
