-- Each agent's own choice of which notices reach them in the workspace and on their devices
-- (kind → {in_app, push}); no row = the defaults (everything on).
CREATE TABLE agent_notice_prefs (
    user_id     BIGINT PRIMARY KEY REFERENCES users(id),
    account_id  BIGINT NOT NULL REFERENCES accounts(id),
    prefs       JSONB NOT NULL,
    updated_at  BIGINT NOT NULL
);
