import { useMemo } from 'preact/hooks';
import { channelColour, contrastText } from '../colour';
import type { ChatController } from '../controller';
import { translator } from '../i18n';
import { Ui, useChatState } from './context';
import { Launcher } from './Launcher';
import { Panel } from './Panel';

export function Widget({ controller, mode }: { controller: ChatController; mode: 'embed' | 'h5' }) {
  const state = useChatState(controller);
  const t = useMemo(() => translator(state.locale), [state.locale]);
  const ctx = useMemo(() => ({ t, locale: state.locale, controller, mode }), [t, state.locale, controller, mode]);

  // An embed for a channel that does not exist stays invisible on the host site.
  if (mode === 'embed' && state.phase === 'error' && state.error === 'error_channel_not_found') return null;
  // Nothing to show on a host page until the channel's config (colour, name) is known.
  if (mode === 'embed' && !state.config && state.phase === 'loading') return null;

  const colour = channelColour(state.config?.channel.colour);
  const style = { '--yk-primary': colour, '--yk-on-primary': contrastText(colour) } as Record<string, string>;

  return (
    <Ui.Provider value={ctx}>
      <div class={`yk-root yk-${mode} ${state.open ? 'yk-is-open' : ''}`} style={style} lang={state.locale}>
        {(mode === 'h5' || state.open) && <Panel state={state} />}
        {mode === 'embed' && <Launcher open={state.open} unread={state.unread} />}
      </div>
    </Ui.Provider>
  );
}
