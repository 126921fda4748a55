-- Billing addresses of an organization (BIL-1): where invoices are addressed. One of them is
-- the default, proposed at checkout and at each renewal.
CREATE TABLE billing_addresses (
    id              BIGSERIAL PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            TEXT    NOT NULL,
    company         TEXT    NOT NULL DEFAULT '',
    street          TEXT    NOT NULL,
    postal_code     TEXT    NOT NULL,
    city            TEXT    NOT NULL,
    country         TEXT    NOT NULL,
    vat_number      TEXT    NOT NULL DEFAULT '',
    is_default      BOOLEAN NOT NULL DEFAULT FALSE,
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      BIGINT NOT NULL
);
CREATE INDEX billing_addresses_by_organization ON billing_addresses (organization_id, id);
CREATE UNIQUE INDEX billing_addresses_one_default ON billing_addresses (organization_id) WHERE is_default;
