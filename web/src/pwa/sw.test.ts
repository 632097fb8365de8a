// Runs public/sw.js — the file the browser installs — against a fake service-worker global.
import source from '../../public/sw.js?raw';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const ORIGIN = 'https://cs.example.com';

type Listener = (event: unknown) => void;

class FakeCache {
  entries = new Map<string, Response>();
  key(request: Request | string) {
    return new URL(typeof request === 'string' ? request : request.url, ORIGIN).href;
  }
  async match(request: Request | string) {
    return this.entries.get(this.key(request))?.clone();
  }
  async put(request: Request | string, response: Response) {
    this.entries.set(this.key(request), response);
  }
  async keys() {
    return [...this.entries.keys()].map((url) => new Request(url));
  }
  async delete(request: Request | string) {
    return this.entries.delete(this.key(request));
  }
  async addAll(urls: string[]) {
    for (const url of urls) this.entries.set(this.key(url), new Response(`shell ${url}`));
  }
}

function worker(fetchImpl: (request: Request) => Promise<Response>) {
  const listeners: Record<string, Listener> = {};
  const stores = new Map<string, FakeCache>();
  const caches = {
    open: async (name: string) => {
      if (!stores.has(name)) stores.set(name, new FakeCache());
      return stores.get(name)!;
    },
    keys: async () => [...stores.keys()],
    delete: async (name: string) => stores.delete(name),
  };
  const windows: { url: string; focus: ReturnType<typeof vi.fn>; navigate: ReturnType<typeof vi.fn> }[] = [];
  const self = {
    location: new URL(`${ORIGIN}/sw.js`),
    addEventListener: (type: string, listener: Listener) => {
      listeners[type] = listener;
    },
    skipWaiting: vi.fn(async () => {}),
    registration: { showNotification: vi.fn(async () => {}) },
    clients: {
      claim: vi.fn(async () => {}),
      matchAll: vi.fn(async () => windows),
      openWindow: vi.fn(async () => null),
    },
  };
  // The worker's globals, as the browser gives them to it.
  new Function('self', 'caches', 'fetch', source)(self, caches, fetchImpl);

  /** Dispatches a fetch event; what the worker answered, or `undefined` when it let the browser handle it. */
  async function request(path: string, init: { mode?: string; method?: string } = {}) {
    let answer: Promise<Response> | undefined;
    const req = new Request(new URL(path, ORIGIN), { method: init.method ?? 'GET' });
    Object.defineProperty(req, 'mode', { value: init.mode ?? 'cors' });
    listeners.fetch({ request: req, respondWith: (r: Promise<Response>) => (answer = r) });
    return answer ? await answer : undefined;
  }
  async function dispatch(type: string, event: Record<string, unknown>) {
    let done: Promise<unknown> = Promise.resolve();
    listeners[type]({ ...event, waitUntil: (p: Promise<unknown>) => (done = p) });
    await done;
  }
  return { self, stores, windows, request, dispatch };
}

describe('service worker', () => {
  let network: ReturnType<typeof vi.fn<(request: Request) => Promise<Response>>>;
  beforeEach(() => {
    network = vi.fn(async (request: Request) => new Response(`network ${new URL(request.url).pathname}`));
  });

  it('caches the app shell on install', async () => {
    const sw = worker(network);
    await sw.dispatch('install', {});
    const shell = sw.stores.get('yingke-shell-v1')!;
    expect(await (await shell.match('/index.html'))!.text()).toBe('shell /index.html');
    expect(sw.self.skipWaiting).toHaveBeenCalled();
  });

  it('never answers API calls, not even for a GET', async () => {
    const sw = worker(network);
    expect(await sw.request('/api/v1/conversations')).toBeUndefined();
    expect(await sw.request('/api/v1/ws')).toBeUndefined();
    expect(await sw.request('/api/docs', { mode: 'navigate' })).toBeUndefined();
    expect(await sw.request('/tickets', { method: 'POST' })).toBeUndefined();
    expect(network).not.toHaveBeenCalled();
    expect([...sw.stores.values()].every((c) => c.entries.size === 0)).toBe(true);
  });

  it('serves the cached shell for a page when the network is down', async () => {
    const sw = worker(network);
    await sw.dispatch('install', {});
    network.mockRejectedValue(new TypeError('offline'));
    const page = await sw.request('/inbox/42', { mode: 'navigate' });
    expect(await page!.text()).toBe('shell /index.html');
  });

  it('keeps hashed assets after the first fetch', async () => {
    const sw = worker(network);
    expect(await (await sw.request('/assets/index-abc.js'))!.text()).toBe('network /assets/index-abc.js');
    network.mockRejectedValue(new TypeError('offline'));
    expect(await (await sw.request('/assets/index-abc.js'))!.text()).toBe('network /assets/index-abc.js');
    expect(network).toHaveBeenCalledTimes(1);
  });

  it('keeps at most 300 assets, dropping the oldest', async () => {
    const sw = worker(network);
    for (let i = 0; i < 302; i++) await sw.request(`/assets/chunk-${i}.js`);
    const assets = sw.stores.get('yingke-assets-v1')!;
    expect(assets.entries.size).toBe(300);
    expect(await assets.match('/assets/chunk-0.js')).toBeUndefined();
    expect(await assets.match('/assets/chunk-301.js')).toBeDefined();
  });

  it('drops the caches of older versions on activate', async () => {
    const sw = worker(network);
    sw.stores.set('yingke-shell-v0', new FakeCache());
    await sw.dispatch('activate', {});
    expect(sw.stores.has('yingke-shell-v0')).toBe(false);
    expect(sw.self.clients.claim).toHaveBeenCalled();
  });

  it('shows a push as a notification that remembers its URL', async () => {
    const sw = worker(network);
    const payload = { title: '新会话分配给您', body: '访客 12 · 会话 #7', url: '/inbox/7', tag: 'conversation-7' };
    await sw.dispatch('push', { data: { json: () => payload, text: () => JSON.stringify(payload) } });
    expect(sw.self.registration.showNotification).toHaveBeenCalledWith(
      '新会话分配给您',
      expect.objectContaining({ body: '访客 12 · 会话 #7', tag: 'conversation-7', data: { url: `${ORIGIN}/inbox/7` } }),
    );
  });

  it('does not let a push send the agent to another site', async () => {
    const sw = worker(network);
    await sw.dispatch('push', { data: { json: () => ({ title: 'x', url: 'https://evil.example/' }) } });
    expect(sw.self.registration.showNotification).toHaveBeenCalledWith(
      'x',
      expect.objectContaining({ data: { url: `${ORIGIN}/inbox` } }),
    );
  });

  it('focuses the window already showing the URL on click', async () => {
    const sw = worker(network);
    const open = { url: `${ORIGIN}/inbox/7`, focus: vi.fn(async () => open), navigate: vi.fn() };
    sw.windows.push(open);
    const close = vi.fn();
    await sw.dispatch('notificationclick', { notification: { close, data: { url: `${ORIGIN}/inbox/7` } } });
    expect(close).toHaveBeenCalled();
    expect(open.focus).toHaveBeenCalled();
    expect(sw.self.clients.openWindow).not.toHaveBeenCalled();
  });

  it('navigates an open workspace window to the URL, or opens one', async () => {
    const sw = worker(network);
    const other = { url: `${ORIGIN}/tickets`, focus: vi.fn(async () => other), navigate: vi.fn(async () => other) };
    sw.windows.push(other);
    await sw.dispatch('notificationclick', { notification: { close: vi.fn(), data: { url: `${ORIGIN}/inbox/9` } } });
    expect(other.navigate).toHaveBeenCalledWith(`${ORIGIN}/inbox/9`);

    const fresh = worker(network);
    await fresh.dispatch('notificationclick', { notification: { close: vi.fn(), data: { url: `${ORIGIN}/inbox/9` } } });
    expect(fresh.self.clients.openWindow).toHaveBeenCalledWith(`${ORIGIN}/inbox/9`);
  });
});
