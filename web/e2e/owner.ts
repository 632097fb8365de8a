/** The owner the server seeds on first start (YINGKE_ADMIN_*); the tests sign in with it. */
export const OWNER = { email: 'owner@example.com', password: 'e2e-owner-password-1' } as const;
