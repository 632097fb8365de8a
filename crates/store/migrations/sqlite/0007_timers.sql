-- Durable timers (DESIGN.md section 5). A pending timer fires at `run_at`; firing runs its handler
-- and deletes the row in one transaction, so a timer's database effects happen exactly once.
-- Failures back off (`attempts`, `last_error`); after `max_attempts` the timer is 'dead' until an
-- admin re-runs it.
CREATE TABLE timers (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts(id),
    kind          TEXT    NOT NULL,
    dedupe_key    TEXT    NOT NULL,
    payload       TEXT    NOT NULL,
    run_at        INTEGER NOT NULL,
    status        TEXT    NOT NULL DEFAULT 'pending',
    attempts      INTEGER NOT NULL DEFAULT 0,
    max_attempts  INTEGER NOT NULL,
    last_error    TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    CONSTRAINT timers_account_id_dedupe_key_key UNIQUE (account_id, dedupe_key)
);
CREATE INDEX timers_due ON timers (run_at) WHERE status = 'pending';
CREATE INDEX timers_dead ON timers (account_id, updated_at) WHERE status = 'dead';

-- What probe timers recorded when they fired: the scheduler's own health check and the
-- benchmark's evidence (a key fired twice would show two rows).
CREATE TABLE timer_probe_firings (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    probe_key   TEXT    NOT NULL,
    due_at      INTEGER NOT NULL,
    fired_at    INTEGER NOT NULL
);
CREATE INDEX timer_probe_firings_account ON timer_probe_firings (account_id, id);
