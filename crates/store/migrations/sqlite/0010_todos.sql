-- Side to-dos and automation rules (D1–D7): to-dos with their context, templates, rules with
-- their runs (frequency limits and analytics), follow-up chains, attribute change times for
-- customer-state rules, agents' own shift schedules.

ALTER TABLE contacts ADD COLUMN owner_id INTEGER REFERENCES users(id);

-- Per-account to-do settings: which conversation tags prompt the agent to create a to-do (tag →
-- template key or null), whether the daily list is delivered.
CREATE TABLE todo_settings (
    account_id     INTEGER PRIMARY KEY REFERENCES accounts(id),
    prompt_tags    TEXT NOT NULL,
    daily_list     BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at     INTEGER NOT NULL
);

CREATE TABLE todo_templates (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts(id),
    key             TEXT NOT NULL,
    name            TEXT NOT NULL,
    title           TEXT NOT NULL,
    note            TEXT NOT NULL,
    priority        TEXT NOT NULL,
    colour          TEXT,
    due_in          INTEGER,
    remind_before   INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    CONSTRAINT todo_templates_account_id_key_key UNIQUE (account_id, key)
);

-- Rules: trigger kind and event kept apart for lookups; the validated spec as JSON.
CREATE TABLE automation_rules (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts(id),
    name            TEXT NOT NULL,
    goal            TEXT NOT NULL,
    priority        INTEGER NOT NULL,
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    trigger_kind    TEXT NOT NULL,
    trigger_event   TEXT,
    spec            TEXT NOT NULL,
    last_fired_at   INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX automation_rules_trigger_idx ON automation_rules (account_id, trigger_kind, trigger_event);

-- Follow-up chains: the steps, the current one, what they are about.
CREATE TABLE todo_chains (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER NOT NULL REFERENCES accounts(id),
    rule_id          INTEGER,
    steps            TEXT NOT NULL,
    step             INTEGER NOT NULL,
    origin_user_id   INTEGER,
    contact_id       INTEGER,
    conversation_id  INTEGER,
    ticket_id        INTEGER,
    vars             TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    finished_at      INTEGER
);

CREATE TABLE todos (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER NOT NULL REFERENCES accounts(id),
    title            TEXT NOT NULL,
    note             TEXT NOT NULL,
    owner_id         INTEGER NOT NULL REFERENCES users(id),
    status           TEXT NOT NULL CHECK (status IN ('open','done','cancelled','snoozed')),
    priority         TEXT NOT NULL CHECK (priority IN ('low','normal','high','urgent')),
    colour           TEXT,
    due_at           INTEGER,
    remind_at        INTEGER,
    snoozed_until    INTEGER,
    repeat           TEXT,
    contact_id       INTEGER REFERENCES contacts(id),
    conversation_id  INTEGER REFERENCES conversations(id),
    ticket_id        INTEGER REFERENCES tickets(id),
    context          TEXT NOT NULL,
    source           TEXT NOT NULL CHECK (source IN ('manual','conversation','template','rule','chain')),
    rule_id          INTEGER,
    template_key     TEXT,
    chain_id         INTEGER REFERENCES todo_chains(id),
    chain_step       INTEGER,
    waits            BOOLEAN NOT NULL DEFAULT FALSE,
    created_by       INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    touched_at       INTEGER,
    completed_at     INTEGER,
    cancelled_at     INTEGER
);
CREATE INDEX todos_owner_idx ON todos (account_id, owner_id, status, due_at);
CREATE INDEX todos_rule_idx ON todos (account_id, rule_id);
CREATE INDEX todos_contact_idx ON todos (account_id, contact_id);
CREATE INDEX todos_conversation_idx ON todos (account_id, conversation_id);
CREATE INDEX todos_chain_idx ON todos (chain_id);

CREATE TABLE todo_collaborators (
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    todo_id     INTEGER NOT NULL REFERENCES todos(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (todo_id, user_id)
);
CREATE INDEX todo_collaborators_user_idx ON todo_collaborators (account_id, user_id);

-- Every time a rule acted on (or was stopped for) a subject: frequency limits and the record of
-- why nothing was created. `outcome` is done, suppressed or skipped.
CREATE TABLE automation_runs (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER NOT NULL REFERENCES accounts(id),
    rule_id          INTEGER NOT NULL,
    subject          TEXT NOT NULL,
    contact_id       INTEGER,
    outcome          TEXT NOT NULL,
    reason           TEXT NOT NULL,
    created_at       INTEGER NOT NULL
);
CREATE INDEX automation_runs_rule_idx ON automation_runs (account_id, rule_id, contact_id, created_at);

-- One row per scan of a customer-state rule: how many contacts, matches, to-dos, suppressions.
CREATE TABLE automation_scans (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts(id),
    rule_id      INTEGER NOT NULL,
    started_at   INTEGER NOT NULL,
    took_ms      INTEGER NOT NULL,
    contacts     INTEGER NOT NULL,
    matched      INTEGER NOT NULL,
    created      INTEGER NOT NULL,
    suppressed   INTEGER NOT NULL,
    skipped      INTEGER NOT NULL
);
CREATE INDEX automation_scans_rule_idx ON automation_scans (account_id, rule_id, id);

-- When each custom attribute of a contact last changed ("order status unchanged for 24 hours").
CREATE TABLE contact_attribute_changes (
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    contact_id  INTEGER NOT NULL REFERENCES contacts(id),
    key         TEXT NOT NULL,
    changed_at  INTEGER NOT NULL,
    PRIMARY KEY (contact_id, key)
);
CREATE INDEX contact_attribute_changes_account_idx ON contact_attribute_changes (account_id, key);

-- An agent's own shift start (weekdays 1–7 and HH:MM in the account's zone); the account's
-- default calendar otherwise.
CREATE TABLE agent_schedules (
    user_id     INTEGER PRIMARY KEY REFERENCES users(id),
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    weekdays    TEXT NOT NULL,
    start_time  TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
);
