-- Web push to agents (VAPID): each agent's browsers and phones, and this installation's keys.

-- One subscribed browser; an endpoint belongs to one agent at a time (a shared device follows
-- whoever subscribed last). `keys` (p256dh and auth) is sealed with the secret key.
CREATE TABLE push_subscriptions (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    endpoint    TEXT NOT NULL UNIQUE,
    keys        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX push_subscriptions_user_idx ON push_subscriptions (account_id, user_id);

-- Keys of the installation, not of an account (the VAPID key pair), sealed.
CREATE TABLE server_keys (
    name        TEXT PRIMARY KEY,
    sealed      TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
