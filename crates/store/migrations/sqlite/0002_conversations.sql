-- Conversations: channels and entry points, contacts with their trail, conversations and messages.

-- Per-account counters behind user-facing numbers (conversation #12, ticket T-2026001).
CREATE TABLE account_counters (
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    name        TEXT    NOT NULL,
    value       INTEGER NOT NULL,
    PRIMARY KEY (account_id, name)
);

-- Where customers reach the account. public_key is what the widget snippet carries;
-- identity_secret (sealed with the server key) verifies identities the embedding site asserts.
CREATE TABLE channels (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER NOT NULL REFERENCES accounts(id),
    kind             TEXT    NOT NULL CHECK (kind IN ('web_widget')),
    name             TEXT    NOT NULL,
    public_key       TEXT    NOT NULL UNIQUE,
    settings         TEXT    NOT NULL,
    identity_secret  TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX channels_account_idx ON channels (account_id, id);

-- Structured entry points of a channel (a site, a landing page, a QR code): their source fields
-- are copied onto every conversation that starts there.
CREATE TABLE entry_points (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER NOT NULL REFERENCES accounts(id),
    channel_id       INTEGER NOT NULL REFERENCES channels(id),
    key              TEXT    NOT NULL,
    name             TEXT    NOT NULL,
    campaign         TEXT    NOT NULL DEFAULT '',
    ad_plan          TEXT    NOT NULL DEFAULT '',
    business_module  TEXT    NOT NULL DEFAULT '',
    landing_page     TEXT    NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL,
    CONSTRAINT entry_points_channel_id_key_key UNIQUE (channel_id, key)
);

-- Customers. external_id is the embedding site's user id, set only for verified identities.
-- A merged contact keeps its row with merged_into_id pointing at the survivor.
CREATE TABLE contacts (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts(id),
    external_id     TEXT,
    name            TEXT    NOT NULL DEFAULT '',
    email           TEXT    NOT NULL DEFAULT '',
    phone           TEXT    NOT NULL DEFAULT '',
    attributes      TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    last_seen_at    INTEGER NOT NULL,
    merged_into_id  INTEGER REFERENCES contacts(id)
);
CREATE UNIQUE INDEX contacts_external_id_key ON contacts (account_id, external_id) WHERE external_id IS NOT NULL AND merged_into_id IS NULL;
CREATE INDEX contacts_account_idx ON contacts (account_id, id);

CREATE TABLE contact_tags (
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    contact_id  INTEGER NOT NULL REFERENCES contacts(id),
    tag         TEXT    NOT NULL,
    PRIMARY KEY (contact_id, tag)
);

-- Pages a visitor viewed, as the widget reports them.
CREATE TABLE page_views (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    contact_id  INTEGER NOT NULL REFERENCES contacts(id),
    url         TEXT    NOT NULL,
    title       TEXT    NOT NULL DEFAULT '',
    referrer    TEXT    NOT NULL DEFAULT '',
    at          INTEGER NOT NULL
);
CREATE INDEX page_views_contact_idx ON page_views (contact_id, id);

-- Conversations. last_seq is the sequence number of the newest message; source holds the entry
-- fields (channel, campaign, UTM, landing page, device, language…) as JSON.
CREATE TABLE conversations (
    id                     INTEGER PRIMARY KEY,
    account_id             INTEGER NOT NULL REFERENCES accounts(id),
    number                 INTEGER NOT NULL,
    channel_id             INTEGER NOT NULL REFERENCES channels(id),
    entry_point_id         INTEGER REFERENCES entry_points(id),
    contact_id             INTEGER NOT NULL REFERENCES contacts(id),
    status                 TEXT    NOT NULL CHECK (status IN ('open','pending','resolved','closed')),
    priority               INTEGER NOT NULL DEFAULT 1,
    assignee_id            INTEGER REFERENCES users(id),
    team_id                INTEGER REFERENCES teams(id),
    last_seq               INTEGER NOT NULL DEFAULT 0,
    contact_read_seq       INTEGER NOT NULL DEFAULT 0,
    agent_read_seq         INTEGER NOT NULL DEFAULT 0,
    source                 TEXT    NOT NULL,
    first_response_at      INTEGER,
    resolved_at            INTEGER,
    csat_score             INTEGER CHECK (csat_score BETWEEN 1 AND 5),
    csat_comment           TEXT,
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL,
    CONSTRAINT conversations_account_id_number_key UNIQUE (account_id, number)
);
CREATE INDEX conversations_account_status_idx ON conversations (account_id, status, id);
CREATE INDEX conversations_contact_idx ON conversations (contact_id, id);

CREATE TABLE conversation_tags (
    account_id       INTEGER NOT NULL REFERENCES accounts(id),
    conversation_id  INTEGER NOT NULL REFERENCES conversations(id),
    tag              TEXT    NOT NULL,
    PRIMARY KEY (conversation_id, tag)
);

-- Messages. seq numbers a conversation's messages 1, 2, 3… without gaps; client_id makes a
-- resent message idempotent. kind 'note' is internal and never reaches the contact.
CREATE TABLE messages (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER NOT NULL REFERENCES accounts(id),
    conversation_id  INTEGER NOT NULL REFERENCES conversations(id),
    seq              INTEGER NOT NULL,
    sender_kind      TEXT    NOT NULL CHECK (sender_kind IN ('contact','agent','bot','system')),
    sender_id        INTEGER,
    kind             TEXT    NOT NULL CHECK (kind IN ('text','note','attachment','event')),
    body             TEXT    NOT NULL,
    attachment       TEXT,
    client_id        TEXT,
    created_at       INTEGER NOT NULL,
    CONSTRAINT messages_conversation_id_seq_key UNIQUE (conversation_id, seq),
    CONSTRAINT messages_conversation_id_client_id_key UNIQUE (conversation_id, client_id)
);
