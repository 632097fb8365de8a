import { createContext } from 'preact';
import { useContext, useLayoutEffect, useState } from 'preact/hooks';
import type { ChatController, ChatState } from '../controller';
import { translator, type Locale, type Translate } from '../i18n';

export interface UiContext {
  t: Translate;
  locale: Locale;
  controller: ChatController;
  mode: 'embed' | 'h5';
}

export const Ui = createContext<UiContext | null>(null);

export function useUi(): UiContext {
  const ctx = useContext(Ui);
  if (!ctx) throw new Error('Yingke UI used outside its provider');
  return ctx;
}

export function useChatState(controller: ChatController): ChatState {
  const [state, setState] = useState(controller.getState());
  useLayoutEffect(() => {
    setState(controller.getState());
    return controller.subscribe(setState);
  }, [controller]);
  return state;
}

export { translator };
