-- The prepaid account (BIL-3) is a ledger: append-only entries whose sum is the balance,
-- each with the unique key of the event it records, so that the same event can never be
-- booked twice. No foreign keys: money records outlive the organizations they belong to.
CREATE TABLE ledger_entries (
    id              BIGSERIAL PRIMARY KEY,
    organization_id BIGINT NOT NULL,
    currency        TEXT   NOT NULL CHECK (currency IN ('CHF', 'EUR')),
    amount_minor    BIGINT NOT NULL CHECK (amount_minor <> 0),
    kind            TEXT   NOT NULL,
    idempotency_key TEXT   NOT NULL UNIQUE,
    reference       TEXT   NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL
);
CREATE INDEX ledger_by_account ON ledger_entries (organization_id, currency, id);

CREATE FUNCTION ledger_entries_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger_entries is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER ledger_entries_no_change BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_entries_append_only();

-- One row per prepaid account, written (and so locked) by every debit before it reads the
-- balance: two debits of one account never both see the same balance.
CREATE TABLE prepaid_accounts (
    organization_id BIGINT NOT NULL,
    currency        TEXT   NOT NULL,
    debited_at      BIGINT NOT NULL,
    PRIMARY KEY (organization_id, currency)
);
