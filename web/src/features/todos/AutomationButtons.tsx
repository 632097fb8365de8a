import { App as AntApp, Button, Tooltip } from 'antd';
import { ThunderboltOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { describeError } from '../../api/errorText';
import { useAutomationButtons, usePressButton } from './queries';
import type { ButtonRun } from './types';

/** One line per rule run: to-dos created, or why nothing happened. */
export function describeRuns(t: (key: string, options?: Record<string, unknown>) => string, runs: ButtonRun[]): string {
  if (runs.length === 0) return t('todos.buttons.nothing');
  return runs
    .map((r) => {
      if (r.todo_ids.length > 0) return t('todos.buttons.created', { count: r.todo_ids.length });
      const outcome = t(`automation.outcome.${r.outcome}`, { defaultValue: r.outcome });
      return r.reason ? `${outcome}: ${r.reason}` : outcome;
    })
    .join('; ');
}

/**
 * The buttons of the account's button rules ("需要回访") on a conversation: pressing one runs its
 * rules now and shows what they did.
 */
export function AutomationButtons({ conversationId }: { conversationId: number }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const buttons = useAutomationButtons();
  const press = usePressButton();
  // Several rules may share one key: one button per key.
  const unique = [...new Map((buttons.data ?? []).map((b) => [b.key, b])).values()];
  if (unique.length === 0) return null;
  return (
    <>
      {unique.map((b) => (
        <Tooltip key={b.key} title={b.goal || undefined}>
          <Button
            size="small"
            icon={<ThunderboltOutlined />}
            loading={press.isPending && press.variables?.key === b.key}
            onClick={() =>
              press.mutate(
                { conversationId, key: b.key },
                {
                  onSuccess: (runs) => {
                    const text = describeRuns(t, runs);
                    if (runs.some((r) => r.outcome === 'done')) void message.success(text);
                    else void message.info(text);
                  },
                  onError: (error) => void message.error(describeError(t, error)),
                },
              )
            }
          >
            {b.name || b.key}
          </Button>
        </Tooltip>
      ))}
    </>
  );
}
