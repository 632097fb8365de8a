import { afterEach, describe, expect, it, vi } from 'vitest';
import { isNewAssignmentToMe, notifyDesktop, readAlertPrefs, saveAlertPrefs, titleWithCount, unreadMine } from './alerts';
import type { Conversation } from '../../api/types';

const ME = 5;

function conversation(id: number, overrides: Partial<Conversation> = {}): Conversation {
  return {
    id,
    number: id,
    channel_id: 1,
    contact_id: 100 + id,
    status: 'open',
    priority: 'normal',
    assignee_id: ME,
    team_id: null,
    last_seq: 3,
    agent_read_seq: 1,
    contact_read_seq: 3,
    source: {},
    created_at: '2026-11-21T05:00:00.000Z',
    updated_at: '2026-11-21T05:00:00.000Z',
    ...overrides,
  } as Conversation;
}

describe('unread count in the tab title', () => {
  it('counts only my open or pending conversations with unread messages', () => {
    const all = [
      conversation(1),
      conversation(2, { status: 'pending' }),
      conversation(3, { agent_read_seq: 3 }),
      conversation(4, { assignee_id: 9 }),
      conversation(5, { assignee_id: null }),
      conversation(6, { status: 'resolved' }),
    ];
    expect(unreadMine(all, ME)).toBe(2);
  });

  it('puts the count before the name, capped at 99+', () => {
    expect(titleWithCount('迎客', 0)).toBe('迎客');
    expect(titleWithCount('迎客', 3)).toBe('(3) 迎客');
    expect(titleWithCount('Yingke', 120)).toBe('(99+) Yingke');
  });
});

describe('new assignment to me', () => {
  it('is an assignment or creation that makes me the assignee', () => {
    expect(isNewAssignmentToMe(undefined, conversation(1), 'assigned', ME)).toBe(true);
    expect(isNewAssignmentToMe(conversation(1, { assignee_id: null }), conversation(1), 'assigned', ME)).toBe(true);
    expect(isNewAssignmentToMe(undefined, conversation(1), 'created', ME)).toBe(true);
  });

  it('is not an update of a conversation I already had, nor someone else’s', () => {
    expect(isNewAssignmentToMe(conversation(1), conversation(1), 'assigned', ME)).toBe(false);
    expect(isNewAssignmentToMe(undefined, conversation(1), 'updated', ME)).toBe(false);
    expect(isNewAssignmentToMe(undefined, conversation(1, { assignee_id: 9 }), 'assigned', ME)).toBe(false);
    expect(isNewAssignmentToMe(undefined, conversation(1, { status: 'resolved' }), 'assigned', ME)).toBe(false);
  });
});

describe('desktop notification', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  function stubNotification(permission: NotificationPermission) {
    const created: { title: string; options: NotificationOptions; onclick: (() => void) | null; close: () => void }[] = [];
    class FakeNotification {
      static permission = permission;
      onclick: (() => void) | null = null;
      close = vi.fn();
      constructor(
        public title: string,
        public options: NotificationOptions,
      ) {
        created.push(this);
      }
    }
    vi.stubGlobal('Notification', FakeNotification);
    return created;
  }

  it('shows one when allowed and the page is in the background, and opens the conversation on click', () => {
    const created = stubNotification('granted');
    vi.spyOn(document, 'hasFocus').mockReturnValue(false);
    vi.spyOn(window, 'focus').mockImplementation(() => {});
    const open = vi.fn();
    expect(notifyDesktop('新会话分配给您', '访客 12 · #7', 7, open)).toBe(true);
    expect(created[0].title).toBe('新会话分配给您');
    expect(created[0].options.tag).toBe('conversation-7');
    created[0].onclick?.();
    expect(open).toHaveBeenCalledWith(7);
  });

  it('stays quiet without permission or while the agent is looking at the page', () => {
    const denied = stubNotification('denied');
    vi.spyOn(document, 'hasFocus').mockReturnValue(false);
    expect(notifyDesktop('t', 'b', 7, vi.fn())).toBe(false);
    expect(denied).toHaveLength(0);

    const granted = stubNotification('granted');
    vi.spyOn(document, 'hasFocus').mockReturnValue(true);
    expect(notifyDesktop('t', 'b', 7, vi.fn())).toBe(false);
    expect(granted).toHaveLength(0);
  });
});

describe('alert preferences', () => {
  it('are off until switched on, and remembered', () => {
    localStorage.removeItem('yingke.alerts');
    expect(readAlertPrefs()).toEqual({ enabled: false });
    saveAlertPrefs({ enabled: true });
    expect(readAlertPrefs()).toEqual({ enabled: true });
    localStorage.removeItem('yingke.alerts');
  });
});
