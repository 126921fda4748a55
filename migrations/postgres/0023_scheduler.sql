-- The scheduler's periodic jobs: a worker runs one only after claiming its lease with one
-- conditional UPDATE, so two Steward processes on one database never run it at once.
CREATE TABLE scheduled_jobs (
    job         TEXT PRIMARY KEY,
    lease_until BIGINT NOT NULL DEFAULT 0,
    holder      TEXT    NOT NULL DEFAULT '',
    last_run_at BIGINT
);

-- Each expiry reminder (BIL-6) once: per product, per expiry date (a renewal moves it), per
-- interval. The key makes a second sender's insert a no-op.
CREATE TABLE expiry_reminders_sent (
    product_id  BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    expires_at  BIGINT NOT NULL,
    days_before BIGINT NOT NULL,
    sent_at     BIGINT NOT NULL,
    PRIMARY KEY (product_id, expires_at, days_before)
);
