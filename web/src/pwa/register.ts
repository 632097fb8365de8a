/**
 * Registers the service worker (public/sw.js) in production builds only: in `npm run dev` a
 * worker caching the app shell would serve stale modules to Vite's hot reload.
 */
export function registerServiceWorker(production = import.meta.env.PROD): void {
  if (!production || !('serviceWorker' in navigator)) return;
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
      // Not installable this time (private mode, an old browser): the app works the same.
    });
  });
}
