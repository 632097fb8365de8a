-- Foundation: tenants, people, teams, sign-in, and the outbox. Times are epoch milliseconds.

-- A tenant: one business. Every tenant-owned table below carries account_id.
CREATE TABLE accounts (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    timezone    TEXT    NOT NULL,
    locale      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);

-- People who sign in. E-mail is unique across the installation so sign-in needs no account slug.
CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    account_id     INTEGER NOT NULL REFERENCES accounts(id),
    email          TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    role           TEXT    NOT NULL CHECK (role IN ('owner','admin','supervisor','agent')),
    locale         TEXT    NOT NULL,
    password_hash  TEXT    NOT NULL,
    active         INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0,1)),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    CONSTRAINT users_email_key UNIQUE (email)
);
CREATE INDEX users_account_idx ON users (account_id, id);

-- Teams (skill groups). Names are unique within an account.
CREATE TABLE teams (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts(id),
    name         TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    CONSTRAINT teams_account_id_name_key UNIQUE (account_id, name)
);

-- Membership of users in teams; removed with the team.
CREATE TABLE team_members (
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    team_id     INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    added_at    INTEGER NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user_idx ON team_members (user_id);

-- Browser sessions. Only the SHA-256 of the cookie value is stored.
CREATE TABLE sessions (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    token_hash  TEXT    NOT NULL UNIQUE,
    ip          TEXT    NOT NULL,
    user_agent  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- Personal access tokens for integrations. Only the SHA-256 of the token is stored.
CREATE TABLE access_tokens (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts(id),
    user_id       INTEGER NOT NULL REFERENCES users(id),
    name          TEXT    NOT NULL,
    token_hash    TEXT    NOT NULL UNIQUE,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER,
    last_used_at  INTEGER
);
CREATE INDEX access_tokens_user_idx ON access_tokens (account_id, user_id, id);

-- Failed sign-in attempts per e-mail and client IP, for throttling. Not tenant data: written
-- before anyone is known to belong to an account.
CREATE TABLE login_failures (
    id     INTEGER PRIMARY KEY,
    email  TEXT    NOT NULL,
    ip     TEXT    NOT NULL,
    at     INTEGER NOT NULL
);
CREATE INDEX login_failures_key_idx ON login_failures (email, ip, at);

-- The outbox: every state change appends its events here in the same transaction.
CREATE TABLE events (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id     INTEGER NOT NULL REFERENCES accounts(id),
    kind           TEXT    NOT NULL,
    subject        TEXT    NOT NULL,
    payload        TEXT    NOT NULL,
    actor_user_id  INTEGER,
    created_at     INTEGER NOT NULL
);
CREATE INDEX events_account_idx ON events (account_id, seq);
