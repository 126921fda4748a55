-- Safety parameters (alerts, lockout), unlock and "this wasn't me" links, per-address throttling.

-- Consecutive failed sign-ins (wrong password or wrong second-factor code) since the last
-- success. Counted by one UPDATE per failure, so concurrent failures are never lost.
ALTER TABLE users ADD COLUMN failed_sign_ins INTEGER NOT NULL DEFAULT 0;
-- The account locks when failed_sign_ins reaches this number (the person chooses 3 to 20).
ALTER TABLE users ADD COLUMN lockout_threshold INTEGER NOT NULL DEFAULT 10
    CHECK (lockout_threshold BETWEEN 3 AND 20);
ALTER TABLE users ADD COLUMN locked_at INTEGER;
ALTER TABLE users ADD COLUMN alert_on_sign_in BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN alert_on_failed_sign_in BOOLEAN NOT NULL DEFAULT FALSE;

-- Single-use links sent by email. Only the SHA-256 of the token is stored.
-- purpose 'unlock': unlocks the account. purpose 'not_me': ends session_id (if still there)
-- and leads to the compromised-password wizard.
CREATE TABLE email_links (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT    NOT NULL CHECK (purpose IN ('unlock', 'not_me')),
    session_id INTEGER,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE INDEX email_links_by_user ON email_links (user_id);

-- Failed sign-ins per source address in fixed windows, so one address cannot try passwords
-- across many accounts.
CREATE TABLE sign_in_throttle (
    ip           TEXT    PRIMARY KEY,
    window_start INTEGER NOT NULL,
    failures     INTEGER NOT NULL
);
