-- Accounts, organizations, memberships, sessions and the append-only activity log.
-- Times are Unix seconds (UTC). Emails are stored normalised (trimmed, lower-case).

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE,
    first_name    TEXT    NOT NULL,
    last_name     TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);

CREATE TABLE organizations (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE memberships (
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role            TEXT    NOT NULL CHECK (role IN ('legal_representative', 'administrator', 'collaborator', 'external')),
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX memberships_by_user ON memberships (user_id, created_at);

-- Only the SHA-256 of a session token is stored; the token itself lives in the cookie.
CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT    NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    persistent   BOOLEAN NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    ip           TEXT    NOT NULL,
    user_agent   TEXT    NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Append-only. No foreign keys: entries outlive the accounts and organizations they mention.
CREATE TABLE activity_log (
    id              INTEGER PRIMARY KEY,
    occurred_at     INTEGER NOT NULL,
    actor_user_id   INTEGER,
    organization_id INTEGER,
    action          TEXT    NOT NULL,
    detail          TEXT    NOT NULL DEFAULT '',
    ip              TEXT    NOT NULL,
    user_agent      TEXT    NOT NULL
);
CREATE INDEX activity_by_actor ON activity_log (actor_user_id, id);
CREATE INDEX activity_by_organization ON activity_log (organization_id, id);

CREATE TRIGGER activity_log_no_update BEFORE UPDATE ON activity_log
BEGIN
    SELECT RAISE(ABORT, 'activity_log is append-only');
END;
CREATE TRIGGER activity_log_no_delete BEFORE DELETE ON activity_log
BEGIN
    SELECT RAISE(ABORT, 'activity_log is append-only');
END;
