-- Files sent in conversations. The bytes live in the file store under storage_key (the SHA-256 of
-- the content, so identical uploads share one file); rows record who uploaded what.
CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts(id),
    contact_id   INTEGER REFERENCES contacts(id),
    user_id      INTEGER REFERENCES users(id),
    name         TEXT    NOT NULL,
    mime         TEXT    NOT NULL,
    size         INTEGER NOT NULL,
    storage_key  TEXT    NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX attachments_account_idx ON attachments (account_id, id);
