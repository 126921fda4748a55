-- Two-factor authentication: methods (authenticator apps now, security keys later), the
-- enrolment in progress, backup codes, and the two-step sign-in.

-- A sign-in whose password was right but whose second factor is still owed has stage
-- 'second_factor': such a session can only submit a code or cancel.
ALTER TABLE sessions ADD COLUMN stage TEXT NOT NULL DEFAULT 'full'
    CHECK (stage IN ('full', 'second_factor'));
-- Wrong codes submitted on this pending sign-in; it ends after a few.
ALTER TABLE sessions ADD COLUMN second_factor_failures INTEGER NOT NULL DEFAULT 0;

-- The last TOTP time step accepted for this person: a code of that step or an earlier one is
-- never accepted again (RFC 6238 section 5.2), whichever of their apps produced it.
ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;

-- One row per method. Each kind uses its own columns; a security key will need
-- credential_id, public_key and sign_count, an authenticator app only totp_secret.
-- The TOTP secret must stay readable to check codes, so it cannot be hashed.
CREATE TABLE second_factors (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind          TEXT    NOT NULL CHECK (kind IN ('totp', 'security_key')),
    label         TEXT    NOT NULL,
    totp_secret   BLOB,
    credential_id BLOB    UNIQUE,
    public_key    BLOB,
    sign_count    INTEGER,
    is_default    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER,
    CHECK (kind <> 'totp' OR totp_secret IS NOT NULL),
    CHECK (kind <> 'security_key' OR (credential_id IS NOT NULL AND public_key IS NOT NULL))
);
CREATE INDEX second_factors_by_user ON second_factors (user_id);
CREATE UNIQUE INDEX second_factors_one_default ON second_factors (user_id) WHERE is_default;

-- An authenticator app being set up: its secret waits here until a first valid code confirms it.
CREATE TABLE totp_enrolments (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret     BLOB    NOT NULL,
    created_at INTEGER NOT NULL
);

-- Only SHA-256(user id, code) is stored. A code is spent by setting used_at, once.
CREATE TABLE backup_codes (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    used_at    INTEGER,
    UNIQUE (user_id, code_hash)
);
