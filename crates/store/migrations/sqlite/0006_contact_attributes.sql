-- Typed custom attributes of contacts: an account defines each key's type once; values set on
-- contacts (by agents or by the embedding site's verified identity) are checked against it.
CREATE TABLE contact_attribute_definitions (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    key         TEXT    NOT NULL,
    label       TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('text','number','date','boolean','list')),
    options     TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    CONSTRAINT contact_attribute_definitions_account_id_key_key UNIQUE (account_id, key)
);
