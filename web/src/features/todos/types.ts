import type { components } from '../../api/schema';

type Schemas = components['schemas'];

export type Todo = Schemas['TodoDto'];
export type NewTodo = Schemas['NewTodo'];
export type TodoPatch = Schemas['TodoPatch'];
export type TodoContext = Schemas['TodoContextDto'];
export type TodoTemplate = Schemas['TodoTemplateDto'];
export type TodoTemplateInput = Schemas['TodoTemplateInput'];
export type TodoSettings = Schemas['TodoSettings'];
export type AutomationRule = Schemas['AutomationRuleDto'];
export type AutomationRuleInput = Schemas['AutomationRuleInput'];
export type ScanReport = Schemas['ScanReportDto'];

export type TodoView = 'mine' | 'team' | 'all';
export const TODO_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const TODO_STATUSES = ['open', 'done', 'cancelled', 'snoozed'] as const;
export const TODO_REPEATS = ['daily', 'weekly', 'monthly'] as const;

/** Filters of the to-do lists (GET /api/v1/todos). */
export type TodoFilter = {
  view: TodoView;
  status?: string;
  priority?: string;
  overdue?: boolean;
  contact_id?: number;
  conversation_id?: number;
  rule_id?: number;
  owner_id?: number;
};

/** A button agents press on a conversation (GET /api/v1/automation/buttons). */
export type AutomationButton = { key: string; rule_id: number; name: string; goal: string };

/** The outcome of one rule run after a button press. */
export type ButtonRun = { rule_id: number; outcome: string; reason: string | null; todo_ids: number[] };
