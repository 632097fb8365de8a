// window.Yingke: callable as Yingke('identify', {...}) and as Yingke.identify({...}).
// A stub defined before the script loads (see README) queues calls in `Yingke.q`; they are
// replayed in order once the widget is ready.

import type { ChatController } from './controller';

export interface YingkeApi {
  (method: string, ...args: unknown[]): unknown;
  identify(identity: unknown): void;
  open(): void;
  close(): void;
  toggle(): void;
  reset(): void;
  version: string;
}

export const VERSION = '0.1.0';

type QueuedCall = ArrayLike<unknown>;

export function installPublicApi(target: Window & { Yingke?: unknown }, controller: ChatController): YingkeApi {
  const previous = target.Yingke as { q?: QueuedCall[] } | undefined;
  const queue: QueuedCall[] = previous && Array.isArray(previous.q) ? previous.q.slice() : [];

  const methods: Record<string, (...args: unknown[]) => void> = {
    identify: (identity) => controller.identify(identity),
    open: () => controller.open(),
    close: () => controller.close(),
    toggle: () => controller.toggle(),
    reset: () => controller.reset(),
  };

  const api = function (method: string, ...args: unknown[]) {
    const fn = methods[method];
    if (!fn) {
      console.warn(`[yingke] unknown method: ${String(method)}`);
      return undefined;
    }
    return fn(...args);
  } as YingkeApi;
  api.identify = methods.identify;
  api.open = methods.open;
  api.close = methods.close;
  api.toggle = methods.toggle;
  api.reset = methods.reset;
  api.version = VERSION;

  target.Yingke = api;
  for (const call of queue) {
    const [method, ...args] = Array.from(call);
    if (typeof method === 'string') api(method, ...args);
  }
  return api;
}
