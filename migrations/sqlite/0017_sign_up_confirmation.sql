-- Sign-up confirms the address before the account exists: the person's details wait here (the
-- password already hashed) until the emailed link (with that password) or the 6-digit code
-- comes back. The link token is stored as its SHA-256 only. The code's hash keeps it out of
-- sight but a code has only a million values: what protects it is the attempt count (five
-- attempts end the row) and the 24-hour expiry, not the hash.
CREATE TABLE pending_sign_ups (
    id            INTEGER PRIMARY KEY,
    email         TEXT    NOT NULL,
    first_name    TEXT    NOT NULL,
    last_name     TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    remember      BOOLEAN NOT NULL,
    token_hash    TEXT    NOT NULL UNIQUE,
    code_hash     TEXT    NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
);
CREATE INDEX pending_sign_ups_by_email ON pending_sign_ups (email);

-- When the login email was last proven to reach this person (a confirmed sign-up, an accepted
-- invitation, a confirmed email change). Accounts from before this migration have none yet.
ALTER TABLE users ADD COLUMN email_verified_at INTEGER;
-- The last "someone tried to create an account with your address" notice (at most one an hour).
ALTER TABLE users ADD COLUMN sign_up_notice_at INTEGER;
