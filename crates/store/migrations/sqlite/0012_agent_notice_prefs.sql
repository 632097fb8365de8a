-- Each agent's own choice of which notices reach them in the workspace and on their devices
-- (kind → {in_app, push}); no row = the defaults (everything on).
CREATE TABLE agent_notice_prefs (
    user_id     INTEGER PRIMARY KEY REFERENCES users(id),
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    prefs       TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
);
