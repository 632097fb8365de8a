import { afterEach, describe, expect, it, vi } from 'vitest';
import { applicationServerKey, pushOffered, pushStatus, VAPID_KEY_PATH } from './push';

describe('web push', () => {
  it('is off while the server has no VAPID key endpoint', async () => {
    const fetchImpl = vi.fn(async () => new Response('{"error":{"code":"not_found"}}', { status: 404 }));
    expect(await pushOffered(fetchImpl)).toBeNull();
    expect(fetchImpl).toHaveBeenCalledWith(VAPID_KEY_PATH, expect.anything());
  });

  it('is off when the server cannot be reached', async () => {
    expect(await pushOffered(vi.fn(async () => Promise.reject(new TypeError('offline'))))).toBeNull();
  });

  it("uses the server's key when it offers one", async () => {
    const fetchImpl = vi.fn(async () => Response.json({ public_key: 'BEl6' }));
    expect(await pushOffered(fetchImpl)).toBe('BEl6');
  });

  it('decodes a base64url key to bytes', () => {
    expect([...applicationServerKey('AQID_-8')]).toEqual([1, 2, 3, 255, 239]);
  });
});

describe('push status of this browser', () => {
  const offered = vi.fn(async () => Response.json({ public_key: 'BEl6' }));
  const refused = vi.fn(async () => new Response('{"error":{"code":"conflict"}}', { status: 409 }));

  /** A browser with web push: `subscribed` says whether its worker holds a subscription. */
  function browser(permission: NotificationPermission, subscribed: boolean) {
    vi.stubGlobal('Notification', { permission });
    vi.stubGlobal('PushManager', class {});
    const registration = { pushManager: { getSubscription: async () => (subscribed ? { endpoint: 'https://push.example/1' } : null) } };
    Object.defineProperty(navigator, 'serviceWorker', {
      configurable: true,
      value: { getRegistration: async () => registration },
    });
  }

  afterEach(() => {
    vi.unstubAllGlobals();
    Reflect.deleteProperty(navigator, 'serviceWorker');
  });

  it('is unsupported without a service worker or the Push API', async () => {
    expect(await pushStatus(offered)).toBe('unsupported');
  });

  it('is on with a subscription and permission', async () => {
    browser('granted', true);
    expect(await pushStatus(refused)).toBe('on');
  });

  it('is off while nothing is subscribed and the server offers push', async () => {
    browser('default', false);
    expect(await pushStatus(offered)).toBe('off');
    browser('granted', false);
    expect(await pushStatus(offered)).toBe('off');
  });

  it('is blocked when notifications were refused', async () => {
    browser('denied', true);
    expect(await pushStatus(offered)).toBe('blocked');
  });

  it('is unavailable when the server sends no push', async () => {
    browser('default', false);
    expect(await pushStatus(refused)).toBe('unavailable');
  });
});
