import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { asArray, asNumber, asObject, asString } from '../../api/open';
import type {
  AutomationButton,
  ButtonRun,
  NewTodo,
  TodoFilter,
  TodoPatch,
  TodoSettings,
  TodoTemplateInput,
} from './types';

export const todosKey = ['todos'] as const;
export const todoListKey = (filter: TodoFilter) => ['todos', 'list', filter] as const;
export const todoContextKey = (id: number) => ['todos', 'context', id] as const;
export const templatesKey = ['todo-templates'] as const;
export const todoSettingsKey = ['todo-settings'] as const;
export const buttonsKey = ['automation', 'buttons'] as const;

export function useTodos(filter: TodoFilter, enabled = true) {
  return useQuery({
    queryKey: todoListKey(filter),
    enabled,
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/todos', {
          params: {
            query: {
              view: filter.view,
              status: filter.status,
              priority: filter.priority,
              overdue: filter.overdue || undefined,
              contact_id: filter.contact_id,
              conversation_id: filter.conversation_id,
              rule_id: filter.rule_id,
              owner_id: filter.owner_id,
            },
          },
        }),
      ).then((list) => list.items),
  });
}

/** The to-do with everything the side panel shows, in one call. */
export function useTodoContext(id: number | null) {
  return useQuery({
    queryKey: todoContextKey(id ?? 0),
    enabled: id !== null,
    queryFn: () => unwrap(api.GET('/api/v1/todos/{id}/context', { params: { path: { id: id ?? 0 } } })),
  });
}

export function useCreateTodo() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NewTodo) => unwrap(api.POST('/api/v1/todos', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: todosKey }),
  });
}

export function useUpdateTodo() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: number; body: TodoPatch }) =>
      unwrap(api.PATCH('/api/v1/todos/{id}', { params: { path: { id } }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: todosKey }),
  });
}

export function useTemplates() {
  return useQuery({
    queryKey: templatesKey,
    queryFn: () => unwrap(api.GET('/api/v1/todo-templates')).then((list) => list.items),
  });
}

export function useSaveTemplate() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: number | null; body: TodoTemplateInput }) =>
      id === null
        ? unwrap(api.POST('/api/v1/todo-templates', { body }))
        : unwrap(api.PUT('/api/v1/todo-templates/{id}', { params: { path: { id } }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: templatesKey }),
  });
}

export function useDeleteTemplate() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => unwrap(api.DELETE('/api/v1/todo-templates/{id}', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: templatesKey }),
  });
}

export function useTodoSettings() {
  return useQuery({ queryKey: todoSettingsKey, queryFn: () => unwrap(api.GET('/api/v1/todo-settings')) });
}

export function useSaveTodoSettings() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: TodoSettings) => unwrap(api.PUT('/api/v1/todo-settings', { body })),
    onSuccess: (saved) => queryClient.setQueryData(todoSettingsKey, saved),
  });
}

/** The buttons agents can press on a conversation (active rules with a button trigger). */
export function useAutomationButtons() {
  return useQuery({
    queryKey: buttonsKey,
    queryFn: () =>
      unwrap(api.GET('/api/v1/automation/buttons')).then((list) =>
        list.items.flatMap((raw): AutomationButton[] => {
          const o = asObject(raw);
          const key = asString(o.key);
          return key ? [{ key, rule_id: asNumber(o.rule_id) ?? 0, name: asString(o.name), goal: asString(o.goal) }] : [];
        }),
      ),
  });
}

export function usePressButton() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ conversationId, key }: { conversationId: number; key: string }) =>
      unwrap(api.POST('/api/v1/conversations/{id}/buttons/{key}', { params: { path: { id: conversationId, key } } })).then(
        (list) =>
          list.items.map((raw): ButtonRun => {
            const o = asObject(raw);
            return {
              rule_id: asNumber(o.rule_id) ?? 0,
              outcome: asString(o.outcome),
              reason: typeof o.reason === 'string' ? o.reason : null,
              todo_ids: asArray(o.todo_ids).flatMap((x) => (typeof x === 'number' ? [x] : [])),
            };
          }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: todosKey }),
  });
}
