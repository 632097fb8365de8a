-- Tickets (T1–T4): categories with typed custom fields, a configurable workflow, markers, a
-- timeline, business calendars, SLA policies and the thresholds learned from history.

-- Business-hours calendars (timezone, weekly hours with breaks, holidays, adjusted working days).
CREATE TABLE business_calendars (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    name        TEXT NOT NULL,
    spec        TEXT NOT NULL,
    is_default  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    CONSTRAINT business_calendars_account_id_name_key UNIQUE (account_id, name)
);

-- Ticket categories (types) and their typed custom fields.
CREATE TABLE ticket_categories (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    key         TEXT NOT NULL,
    name        TEXT NOT NULL,
    fields      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    CONSTRAINT ticket_categories_account_id_key_key UNIQUE (account_id, key)
);

-- Progress markers agents put on tickets ("已联系供应商").
CREATE TABLE ticket_markers (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    name        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    CONSTRAINT ticket_markers_account_id_name_key UNIQUE (account_id, name)
);

-- Per-account ticket settings: the workflow and how SLA thresholds are learned.
CREATE TABLE ticket_settings (
    account_id  INTEGER PRIMARY KEY REFERENCES accounts(id),
    workflow    TEXT,
    thresholds  TEXT,
    updated_at  INTEGER NOT NULL
);

-- SLA policies, tried in position order; the first whose conditions match applies.
CREATE TABLE sla_policies (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    position    INTEGER NOT NULL,
    spec        TEXT NOT NULL,
    enabled     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX sla_policies_account_idx ON sla_policies (account_id, position);

CREATE TABLE tickets (
    id                      INTEGER PRIMARY KEY,
    account_id              INTEGER NOT NULL REFERENCES accounts(id),
    number                  TEXT NOT NULL,
    title                   TEXT NOT NULL,
    description             TEXT NOT NULL,
    category_id             INTEGER REFERENCES ticket_categories(id),
    priority                TEXT NOT NULL CHECK (priority IN ('p1','p2','p3','p4')),
    status                  TEXT NOT NULL,
    status_kind             TEXT NOT NULL CHECK (status_kind IN ('new','open','pending','resolved','closed')),
    order_number            TEXT,
    requested_by            TEXT,
    contact_id              INTEGER REFERENCES contacts(id),
    conversation_id         INTEGER REFERENCES conversations(id),
    team_id                 INTEGER REFERENCES teams(id),
    assignee_id             INTEGER REFERENCES users(id),
    deadline                INTEGER,
    custom                  TEXT NOT NULL,
    tags                    TEXT NOT NULL,
    attachments             TEXT NOT NULL,
    channel                 TEXT NOT NULL,
    source                  TEXT NOT NULL,
    sla_policy_id           INTEGER REFERENCES sla_policies(id) ON DELETE SET NULL,
    sla                     TEXT NOT NULL,
    pauses                  TEXT NOT NULL,
    first_response_at       INTEGER,
    awaiting_reply_since    INTEGER,
    resolved_at             INTEGER,
    closed_at               INTEGER,
    resolution_business_ms  INTEGER,
    created_by              INTEGER REFERENCES users(id),
    created_at              INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL,
    CONSTRAINT tickets_account_id_number_key UNIQUE (account_id, number)
);
CREATE INDEX tickets_account_idx ON tickets (account_id, id);
CREATE INDEX tickets_status_idx ON tickets (account_id, status_kind, id);
CREATE INDEX tickets_assignee_idx ON tickets (account_id, assignee_id, id);
CREATE INDEX tickets_resolved_idx ON tickets (account_id, resolved_at) WHERE resolution_business_ms IS NOT NULL;
CREATE INDEX tickets_conversation_idx ON tickets (conversation_id);

CREATE TABLE ticket_collaborators (
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    ticket_id   INTEGER NOT NULL REFERENCES tickets(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (ticket_id, user_id)
);

-- Everything that happened to a ticket, in order: status changes (from → to, why), replies,
-- internal notes, markers, assignment and transfer, SLA warnings, breaches and escalations.
CREATE TABLE ticket_timeline (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    ticket_id   INTEGER NOT NULL REFERENCES tickets(id),
    kind        TEXT NOT NULL,
    actor_id    INTEGER REFERENCES users(id),
    body        TEXT,
    data        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX ticket_timeline_ticket_idx ON ticket_timeline (ticket_id, id);

-- Learned resolution-time thresholds per category and priority, refreshed daily.
CREATE TABLE sla_thresholds (
    account_id       INTEGER NOT NULL REFERENCES accounts(id),
    category_key     TEXT NOT NULL,
    priority         TEXT NOT NULL,
    window_days      INTEGER NOT NULL,
    sample_count     INTEGER NOT NULL,
    p50_ms           INTEGER,
    p90_ms           INTEGER,
    seasonal_factor  REAL NOT NULL,
    warn_ms          INTEGER,
    basis            TEXT NOT NULL,
    computed_at      INTEGER NOT NULL,
    PRIMARY KEY (account_id, category_key, priority)
);
