import { describe, expect, it, vi } from 'vitest';
import { applicationServerKey, pushOffered, VAPID_KEY_PATH } from './push';

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
