-- The transactional outbox: an email is inserted in the same transaction as the change that
-- causes it; a background worker delivers it. A worker claims a row by setting claimed_until
-- (a lease) and its own claim_token in one conditional UPDATE, so two server processes on one
-- database never send the same row twice while the lease runs.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    recipient       TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_until   INTEGER,
    claim_token     TEXT,
    sent_at         INTEGER,
    -- Set when delivery was given up after the last retry.
    failed_at       INTEGER,
    last_error      TEXT
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
