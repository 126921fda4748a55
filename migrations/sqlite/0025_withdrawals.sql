-- Money requested back from the prepaid account (BIL-3): reserved at once by a withdrawal
-- entry of the ledger, then paid out by the operator (completed) or given back (reversed, with
-- a reversal entry). No foreign key: money records outlive the organizations they belong to.
CREATE TABLE withdrawals (
    id              INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL,
    currency        TEXT    NOT NULL CHECK (currency IN ('CHF', 'EUR')),
    amount_minor    INTEGER NOT NULL CHECK (amount_minor > 0),
    method          TEXT    NOT NULL CHECK (method IN ('bank_account', 'paypal')),
    -- The IBAN in its electronic form, or the PayPal address.
    destination     TEXT    NOT NULL,
    holder          TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('requested', 'completed', 'reversed')),
    requested_by    INTEGER,
    requested_at    INTEGER NOT NULL,
    settled_at      INTEGER,
    note            TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX withdrawals_by_organization ON withdrawals (organization_id, id);
