-- Automatic renewal (BIL-2, BIL-4): a product with auto_renew renews itself at expiry for one
-- period, paid from the prepaid balance.
ALTER TABLE products ADD COLUMN auto_renew BOOLEAN NOT NULL DEFAULT FALSE;

-- Each step of a renewal once per product and expiry date (the scheduler's key): the reminder
-- 14 days before, and the renewal itself (done, or failed and said so).
CREATE TABLE renewal_steps (
    product_id BIGINT  NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    expires_at BIGINT  NOT NULL,
    step       TEXT    NOT NULL CHECK (step IN ('reminder', 'renewal')),
    done_at    BIGINT  NOT NULL,
    PRIMARY KEY (product_id, expires_at, step)
);
