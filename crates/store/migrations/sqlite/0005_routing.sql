-- Routing: agents' availability and capacity, team defaults, the account's rules and settings,
-- and every decision with its trace.

-- An agent's routing state. capacity NULL means the team default (else the account default);
-- skills map a skill to a proficiency 1–5; perf holds the decayed record per conversation tag.
CREATE TABLE agent_states (
    user_id            INTEGER PRIMARY KEY REFERENCES users(id),
    account_id         INTEGER NOT NULL REFERENCES accounts(id),
    status             TEXT    NOT NULL CHECK (status IN ('online','busy','away','offline')),
    capacity           INTEGER CHECK (capacity > 0),
    skills             TEXT    NOT NULL,
    perf               TEXT    NOT NULL,
    status_changed_at  INTEGER NOT NULL,
    last_assigned_at   INTEGER,
    active_at          INTEGER NOT NULL
);
CREATE INDEX agent_states_account_idx ON agent_states (account_id);

-- A team's routing defaults: capacity of members without their own, and overflow to another
-- team after a wait.
CREATE TABLE team_routing (
    team_id              INTEGER PRIMARY KEY REFERENCES teams(id),
    account_id           INTEGER NOT NULL REFERENCES accounts(id),
    default_capacity     INTEGER CHECK (default_capacity > 0),
    overflow_after_secs  INTEGER CHECK (overflow_after_secs > 0),
    overflow_team_id     INTEGER REFERENCES teams(id)
);

-- The account's routing settings as one JSON document (default route, sticky window,
-- reassignment delay, default capacity, business hours).
CREATE TABLE routing_settings (
    account_id  INTEGER PRIMARY KEY REFERENCES accounts(id),
    settings    TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- Ordered rules: the first enabled rule whose conditions hold decides the route.
CREATE TABLE routing_rules (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    position    INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    enabled     BOOLEAN NOT NULL,
    conditions  TEXT    NOT NULL,
    route       TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX routing_rules_account_idx ON routing_rules (account_id, position, id);

-- Every routing decision with its trace (R9). reason: new, queue, overflow, no_reply, retry.
CREATE TABLE routing_decisions (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER NOT NULL REFERENCES accounts(id),
    conversation_id  INTEGER NOT NULL REFERENCES conversations(id),
    reason           TEXT    NOT NULL,
    outcome          TEXT    NOT NULL CHECK (outcome IN ('assigned','queued')),
    agent_id         INTEGER,
    team_id          INTEGER,
    rule_id          INTEGER,
    trace            TEXT    NOT NULL,
    duration_us      INTEGER NOT NULL,
    decided_at       INTEGER NOT NULL
);
CREATE INDEX routing_decisions_conversation_idx ON routing_decisions (conversation_id, id);

-- Routing state of a conversation. routed_at NULL: not yet routed (new, or sent back).
-- queued_at: waiting since; route: where it waits to go (JSON). assigned_at: when the current
-- assignee got it; agent_replied_at: the assignee's last reply.
ALTER TABLE conversations ADD COLUMN routed_at INTEGER;
ALTER TABLE conversations ADD COLUMN queued_at INTEGER;
ALTER TABLE conversations ADD COLUMN route TEXT;
ALTER TABLE conversations ADD COLUMN assigned_at INTEGER;
ALTER TABLE conversations ADD COLUMN agent_replied_at INTEGER;
UPDATE conversations SET routed_at = created_at;
CREATE INDEX conversations_unrouted_idx ON conversations (account_id, routed_at);
CREATE INDEX conversations_queued_idx ON conversations (account_id, queued_at);
CREATE INDEX conversations_assignee_idx ON conversations (account_id, assignee_id, status);
