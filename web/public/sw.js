// The workspace's service worker: makes the app installable, serves the app shell when the
// network is down, and shows web-push notifications.
//
// - /api/… (and /healthz, /readyz, /metrics, the widget) never touch the cache: live data is
//   never served stale.
// - Page navigations go to the network first and fall back to the cached index.html (the client
//   routes all render from it).
// - Content-hashed files under /assets/ never change: cache first, stored on first use.
// - Other static files (icons, manifest, favicon): network first, cached copy when offline.
//
// Registered only by production builds (src/pwa/register.ts). Plain JavaScript: Vite copies
// public/ as is, and the tests (src/pwa/sw.test.ts) run this very file.

const VERSION = 'v1';
const SHELL_CACHE = `yingke-shell-${VERSION}`;
const ASSET_CACHE = `yingke-assets-${VERSION}`;
const SHELL = ['/', '/index.html', '/manifest.webmanifest', '/favicon.svg', '/icons/icon-192.png', '/icons/badge-96.png'];
/** Hashed assets of past releases pile up; keep this many, dropping the oldest stored. */
const MAX_ASSETS = 300;
const NEVER_CACHED = ['/api/', '/healthz', '/readyz', '/metrics', '/widget', '/chat/', '/t/'];

/** How a GET request to this origin is answered: 'network' (untouched), 'page', 'asset' or 'static'. */
function strategyFor(request) {
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return 'network';
  if (NEVER_CACHED.some((prefix) => url.pathname.startsWith(prefix))) return 'network';
  if (request.mode === 'navigate') return 'page';
  if (url.pathname.startsWith('/assets/')) return 'asset';
  return 'static';
}

/** A same-origin URL to open for a notification; anything else opens the inbox. */
function targetUrl(data) {
  try {
    const url = new URL(data && typeof data.url === 'string' ? data.url : '/inbox', self.location.origin);
    return url.origin === self.location.origin ? url.href : new URL('/inbox', self.location.origin).href;
  } catch {
    return new URL('/inbox', self.location.origin).href;
  }
}

/** The notification a push payload `{title, body?, url?, tag?}` asks for. */
function notificationFor(payload) {
  const data = payload && typeof payload === 'object' ? payload : {};
  const title = typeof data.title === 'string' && data.title ? data.title : '迎客';
  const options = {
    body: typeof data.body === 'string' ? data.body : '',
    icon: '/icons/icon-192.png',
    badge: '/icons/badge-96.png',
    data: { url: targetUrl(data) },
  };
  if (typeof data.tag === 'string' && data.tag) {
    options.tag = data.tag;
    options.renotify = true;
  }
  return { title, options };
}

async function cached(cacheName, request, fetchIt) {
  const cache = await caches.open(cacheName);
  const hit = await cache.match(request);
  if (hit) return hit;
  const response = await fetchIt(request);
  if (response.ok) {
    await cache.put(request, response.clone());
    const keys = await cache.keys();
    // Cache keys come back in the order they were stored.
    await Promise.all(keys.slice(0, Math.max(0, keys.length - MAX_ASSETS)).map((key) => cache.delete(key)));
  }
  return response;
}

async function networkFirst(cacheName, request, fallback) {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(fallback ?? request, response.clone());
    return response;
  } catch (error) {
    const hit = (await cache.match(fallback ?? request)) ?? (await cache.match(request));
    if (hit) return hit;
    throw error;
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((key) => key.startsWith('yingke-') && key !== SHELL_CACHE && key !== ASSET_CACHE).map((key) => caches.delete(key)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const strategy = strategyFor(event.request);
  if (strategy === 'network') return;
  if (strategy === 'page') {
    event.respondWith(networkFirst(SHELL_CACHE, event.request, '/index.html'));
  } else if (strategy === 'asset') {
    event.respondWith(cached(ASSET_CACHE, event.request, fetch));
  } else {
    event.respondWith(networkFirst(SHELL_CACHE, event.request));
  }
});

self.addEventListener('push', (event) => {
  let payload = {};
  try {
    payload = event.data ? event.data.json() : {};
  } catch {
    payload = { body: event.data ? event.data.text() : '' };
  }
  const { title, options } = notificationFor(payload);
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = targetUrl(event.notification.data);
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then(async (windows) => {
      const exact = windows.find((client) => client.url === url);
      if (exact) return exact.focus();
      const own = windows.find((client) => new URL(client.url).origin === self.location.origin);
      if (own) {
        try {
          const focused = await own.focus();
          // Only a window this worker controls can be navigated; otherwise open a new one.
          if (focused && (await focused.navigate(url))) return focused;
        } catch {
          // Fall through.
        }
      }
      return self.clients.openWindow(url);
    }),
  );
});
