// Page-view reporting for single-page sites: history.pushState/replaceState and popstate/hashchange.

type Listener = () => void;

const listeners = new Set<Listener>();
let patched = false;

function notify(): void {
  for (const l of Array.from(listeners)) {
    try {
      l();
    } catch {
      /* a listener's failure must not break the host page's navigation */
    }
  }
}

function patch(): void {
  if (patched || typeof history === 'undefined') return;
  patched = true;
  for (const name of ['pushState', 'replaceState'] as const) {
    const original = history[name];
    if (typeof original !== 'function') continue;
    history[name] = function (this: History, ...args: Parameters<History['pushState']>) {
      const result = original.apply(this, args);
      notify();
      return result;
    } as History['pushState'];
  }
  window.addEventListener('popstate', notify);
  window.addEventListener('hashchange', notify);
}

/** Calls `onChange` (at most once per `delayMs`) whenever location.href changes. */
export function watchNavigation(onChange: (href: string) => void, delayMs = 300): () => void {
  patch();
  let last = location.href;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const listener = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      const href = location.href;
      if (href === last) return;
      last = href;
      onChange(href);
    }, delayMs);
  };
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
    if (timer) clearTimeout(timer);
  };
}
