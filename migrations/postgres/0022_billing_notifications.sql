-- Which billing emails an organization wants (BIL-2), and how long before a product expires it
-- is reminded (BIL-6: days, comma-separated, largest first). No row: the defaults.
CREATE TABLE billing_notifications (
    organization_id      BIGINT PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    invoice_issued       BOOLEAN NOT NULL DEFAULT TRUE,
    renewal_reminder     BOOLEAN NOT NULL DEFAULT TRUE,
    renewal_confirmation BOOLEAN NOT NULL DEFAULT TRUE,
    expiry_reminder_days TEXT    NOT NULL DEFAULT '30,14,7',
    updated_at           BIGINT NOT NULL
);
