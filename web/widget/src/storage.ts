// localStorage can throw (Safari private mode, sandboxed iframes, some in-app browsers) or be
// missing; fall back to memory so the chat still works for the page's lifetime.

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function memoryStore(): KeyValueStore {
  const map = new Map<string, string>();
  return {
    getItem: (k) => (map.has(k) ? (map.get(k) as string) : null),
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
  };
}

export function safeLocalStorage(): KeyValueStore {
  const fallback = memoryStore();
  let ls: Storage | null = null;
  try {
    ls = window.localStorage;
    const probe = '__yingke_probe__';
    ls.setItem(probe, '1');
    ls.removeItem(probe);
  } catch {
    ls = null;
  }
  if (!ls) return fallback;
  const store = ls;
  return {
    getItem(k) {
      try {
        return store.getItem(k);
      } catch {
        return fallback.getItem(k);
      }
    },
    setItem(k, v) {
      try {
        store.setItem(k, v);
      } catch {
        fallback.setItem(k, v);
      }
    },
    removeItem(k) {
      try {
        store.removeItem(k);
      } catch {
        /* ignore */
      }
      fallback.removeItem(k);
    },
  };
}

/** Per-channel namespaced keys: `yingke:<channel_key>:<name>`. */
export class ChannelStore {
  constructor(
    private readonly store: KeyValueStore,
    private readonly channelKey: string,
  ) {}

  key(name: string): string {
    return `yingke:${this.channelKey}:${name}`;
  }

  get(name: string): string | null {
    return this.store.getItem(this.key(name));
  }

  set(name: string, value: string): void {
    this.store.setItem(this.key(name), value);
  }

  remove(name: string): void {
    this.store.removeItem(this.key(name));
  }

  getJson<T>(name: string, fallback: T): T {
    const raw = this.get(name);
    if (raw == null) return fallback;
    try {
      const parsed = JSON.parse(raw) as T;
      return parsed ?? fallback;
    } catch {
      return fallback;
    }
  }

  setJson(name: string, value: unknown): void {
    this.set(name, JSON.stringify(value));
  }
}
