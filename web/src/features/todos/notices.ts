import { asArray, asNumber, asObject, asString } from '../../api/open';
import { readAssignment, readMention, type Assignment, type Mention } from '../notifications/model';
import type { NoticeFrame } from '../../realtime/frames';

export type Reminder = { todoId: number; title: string; priority: string; dueAt: number | null; strength: 'strong' | 'light' };
export type DigestItem = { todoId: number; title: string; priority: string; dueAt: number | null; lateness: string };
export type Prompt = { conversationId: number; tag: string; template: string | null };

/** What a notice frame asks the UI to do. */
export type NoticeAction =
  | { kind: 'changed' }
  | { kind: 'reminder'; reminder: Reminder }
  | { kind: 'digest'; title: string; items: DigestItem[] }
  | { kind: 'prompt'; prompt: Prompt }
  | { kind: 'automation'; message: string }
  | { kind: 'mention'; mention: Mention; subject: string }
  | { kind: 'assigned'; assignment: Assignment; subject: string }
  | { kind: 'ignore' };

/** Reads a notice frame (docs/protocol/realtime.md, "Agent notices"); unknown kinds are ignored. */
export function readNotice(frame: NoticeFrame): NoticeAction {
  const notice = asObject(frame.notice);
  const params = asObject(notice.params);
  const subject = asString(notice.subject);
  switch (frame.kind) {
    case 'todo_created':
    case 'todo_updated':
      return { kind: 'changed' };
    case 'todo_reminder': {
      const todoId = asNumber(params.todo_id);
      if (todoId === null) return { kind: 'ignore' };
      return {
        kind: 'reminder',
        reminder: {
          todoId,
          title: subject,
          priority: asString(params.priority),
          dueAt: asNumber(params.due_at),
          strength: params.strength === 'strong' ? 'strong' : 'light',
        },
      };
    }
    case 'todo_digest':
      return {
        kind: 'digest',
        title: subject,
        items: asArray(params.todos).flatMap((raw) => {
          const o = asObject(raw);
          const todoId = asNumber(o.todo_id);
          return todoId === null
            ? []
            : [{ todoId, title: asString(o.title), priority: asString(o.priority), dueAt: asNumber(o.due_at), lateness: asString(o.lateness) }];
        }),
      };
    case 'todo_prompt': {
      const conversationId = asNumber(params.conversation_id);
      if (conversationId === null) return { kind: 'ignore' };
      return {
        kind: 'prompt',
        prompt: { conversationId, tag: asString(params.tag) || subject, template: typeof params.template === 'string' ? params.template : null },
      };
    }
    case 'automation':
      return { kind: 'automation', message: subject };
    case 'mention': {
      const mention = readMention(params);
      return mention ? { kind: 'mention', mention, subject } : { kind: 'ignore' };
    }
    case 'assigned': {
      const assignment = readAssignment(params);
      return assignment ? { kind: 'assigned', assignment, subject } : { kind: 'ignore' };
    }
    default:
      return { kind: 'ignore' };
  }
}
