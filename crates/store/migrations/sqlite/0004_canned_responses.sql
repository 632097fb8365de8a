-- Canned responses: short codes agents type after "/" to insert a prepared reply with variables.
CREATE TABLE canned_responses (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    short_code  TEXT    NOT NULL,
    content     TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    CONSTRAINT canned_responses_account_id_short_code_key UNIQUE (account_id, short_code)
);
