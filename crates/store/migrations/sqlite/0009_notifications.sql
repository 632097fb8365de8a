-- Notifications (N1–N8): per-account policy, delivery channels with sealed secrets, rules,
-- templates, one delivery record per recipient and channel, consent, opt-outs and engagement.

CREATE TABLE notification_settings (
    account_id  INTEGER PRIMARY KEY REFERENCES accounts(id),
    policy      TEXT NOT NULL,
    seeded      BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at  INTEGER NOT NULL
);

-- Configured channels: e-mail over SMTP, SMS and IM providers. `secrets` is sealed JSON.
CREATE TABLE notification_channels (
    id             INTEGER PRIMARY KEY,
    account_id     INTEGER NOT NULL REFERENCES accounts(id),
    kind           TEXT NOT NULL,
    medium         TEXT NOT NULL,
    name           TEXT NOT NULL,
    config         TEXT NOT NULL,
    secrets        TEXT NOT NULL,
    enabled        BOOLEAN NOT NULL DEFAULT TRUE,
    position       INTEGER NOT NULL DEFAULT 0,
    receipt_token  TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    CONSTRAINT notification_channels_account_id_name_key UNIQUE (account_id, name)
);

-- Rules: trigger + conditions + recipients + template + media, tried in position order.
CREATE TABLE notification_rules (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    position    INTEGER NOT NULL,
    spec        TEXT NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX notification_rules_account_idx ON notification_rules (account_id, position);

-- Templates by key, locale, customer kind, ticket category (0 = any) and medium ('any').
CREATE TABLE notification_templates (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts(id),
    key          TEXT NOT NULL,
    locale       TEXT NOT NULL,
    audience     TEXT NOT NULL,
    category_id  INTEGER NOT NULL DEFAULT 0,
    medium       TEXT NOT NULL,
    subject      TEXT NOT NULL,
    body         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    CONSTRAINT notification_templates_variant_key
        UNIQUE (account_id, key, locale, audience, category_id, medium)
);

-- One row per recipient and channel. `due_at` is when the dispatcher next looks at it: the send
-- time of a queued notice, the lease end of one being sent, the confirmation deadline of one sent.
CREATE TABLE notification_deliveries (
    id                   INTEGER PRIMARY KEY,
    account_id           INTEGER NOT NULL REFERENCES accounts(id),
    notice_key           TEXT NOT NULL,
    idempotency_key      TEXT NOT NULL,
    ticket_id            INTEGER,
    rule_id              INTEGER,
    notice_kind          TEXT,
    recipient_kind       TEXT NOT NULL,
    contact_id           INTEGER,
    user_id              INTEGER,
    medium               TEXT NOT NULL,
    channel_id           INTEGER,
    address              TEXT NOT NULL,
    locale               TEXT NOT NULL,
    subject              TEXT NOT NULL,
    body                 TEXT NOT NULL,
    params               TEXT NOT NULL,
    important            BOOLEAN NOT NULL DEFAULT FALSE,
    fallbacks            TEXT NOT NULL,
    status               TEXT NOT NULL,
    skip_reason          TEXT,
    attempts             INTEGER NOT NULL DEFAULT 0,
    unconfirmed_retries  INTEGER NOT NULL DEFAULT 0,
    due_at               INTEGER,
    sent_at              INTEGER,
    confirmed_at         INTEGER,
    opened_at            INTEGER,
    clicked_at           INTEGER,
    read_at              INTEGER,
    provider_id          TEXT,
    last_response        TEXT,
    last_error           TEXT,
    failover_from        INTEGER,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    CONSTRAINT notification_deliveries_idempotency_key UNIQUE (account_id, idempotency_key)
);
CREATE INDEX notification_deliveries_due_idx ON notification_deliveries (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX notification_deliveries_ticket_idx ON notification_deliveries (account_id, ticket_id, id);
CREATE INDEX notification_deliveries_contact_idx ON notification_deliveries (account_id, contact_id, id);
CREATE INDEX notification_deliveries_user_idx ON notification_deliveries (account_id, user_id, id);
CREATE INDEX notification_deliveries_provider_idx ON notification_deliveries (account_id, channel_id, provider_id);

-- Consent per contact and medium, recorded with where it was given.
CREATE TABLE notification_consents (
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    contact_id  INTEGER NOT NULL,
    medium      TEXT NOT NULL,
    granted     BOOLEAN NOT NULL,
    source      TEXT NOT NULL,
    at          INTEGER NOT NULL,
    PRIMARY KEY (account_id, contact_id, medium)
);

-- "不再提醒": per ticket (0 = every ticket) and medium ('*' = every medium).
CREATE TABLE notification_optouts (
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    contact_id  INTEGER NOT NULL,
    ticket_id   INTEGER NOT NULL DEFAULT 0,
    medium      TEXT NOT NULL DEFAULT '*',
    source      TEXT NOT NULL,
    at          INTEGER NOT NULL,
    PRIMARY KEY (account_id, contact_id, ticket_id, medium)
);

-- What a contact does with notices per medium: the learned channel preference.
CREATE TABLE notification_engagement (
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    contact_id  INTEGER NOT NULL,
    medium      TEXT NOT NULL,
    sent        INTEGER NOT NULL DEFAULT 0,
    engaged     INTEGER NOT NULL DEFAULT 0,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (account_id, contact_id, medium)
);
