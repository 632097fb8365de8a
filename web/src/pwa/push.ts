// Web push subscription for the workspace. The server offers its VAPID public key at
// VAPID_KEY_PATH (a 409 when it cannot push: then `pushOffered` answers null and nothing is
// subscribed) and pushes the agent's notices — strong to-do reminders, automation notices —
// to every subscribed browser. The service worker's `push` handler (public/sw.js) shows what
// the server sends: `{title, body?, url?, tag?, kind?}`.

import { getCsrfToken } from '../api/client';

/** GET → 200 `{public_key: "<base64url P-256 key>"}` when the server sends web push; 409 when it cannot. */
export const VAPID_KEY_PATH = '/api/v1/push/key';
/** POST the browser's `PushSubscription` JSON (`{endpoint, keys: {p256dh, auth}}`) → 204. */
export const SUBSCRIPTIONS_PATH = '/api/v1/me/push-subscriptions';

/** The server's VAPID public key, or null when the server does not offer web push. */
export async function pushOffered(fetchImpl: typeof fetch = globalThis.fetch): Promise<string | null> {
  try {
    const response = await fetchImpl(VAPID_KEY_PATH, { credentials: 'include', headers: { Accept: 'application/json' } });
    if (!response.ok) return null;
    const body = (await response.json()) as { public_key?: unknown };
    return typeof body.public_key === 'string' && body.public_key ? body.public_key : null;
  } catch {
    return null;
  }
}

/** A base64url VAPID key as the bytes `pushManager.subscribe` wants. */
export function applicationServerKey(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(base64url.length / 4) * 4, '=');
  const binary = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Subscribes this browser to web push when the server offers it and a service worker is
 * active; true when a subscription was sent to the server. Call after notification permission
 * was granted.
 */
export async function subscribeToPush(fetchImpl: typeof fetch = globalThis.fetch): Promise<boolean> {
  if (!('serviceWorker' in navigator) || !('PushManager' in window)) return false;
  const key = await pushOffered(fetchImpl);
  if (!key) return false;
  const registration = await navigator.serviceWorker.getRegistration('/');
  if (!registration) return false;
  const subscription =
    (await registration.pushManager.getSubscription()) ??
    (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: applicationServerKey(key) }));
  const csrf = getCsrfToken();
  const response = await fetchImpl(SUBSCRIPTIONS_PATH, {
    method: 'POST',
    credentials: 'include',
    headers: { 'Content-Type': 'application/json', ...(csrf ? { 'X-CSRF-Token': csrf } : {}) },
    body: JSON.stringify(subscription.toJSON()),
  });
  return response.ok;
}

/**
 * Whether this browser gets the agent's web push: `on` with a push subscription and notification
 * permission; `off` when it could (the inbox's alert switch subscribes it); `blocked` when the
 * person refused notifications to this site; `unavailable` when the server sends no web push;
 * `unsupported` when the browser has no web push at all.
 */
export type PushStatus = 'on' | 'off' | 'blocked' | 'unavailable' | 'unsupported';

export async function pushStatus(fetchImpl: typeof fetch = globalThis.fetch): Promise<PushStatus> {
  if (typeof Notification === 'undefined' || !('serviceWorker' in navigator) || !('PushManager' in window)) {
    return 'unsupported';
  }
  try {
    const registration = await navigator.serviceWorker.getRegistration('/');
    const subscription = await registration?.pushManager.getSubscription();
    if (subscription && Notification.permission === 'granted') return 'on';
  } catch {
    // No worker to ask (private mode, a failed install): the same as not subscribed.
  }
  if (Notification.permission === 'denied') return 'blocked';
  return (await pushOffered(fetchImpl)) ? 'off' : 'unavailable';
}
