-- The partner program (PAR-1, PAR-2). An organization's application and, once the operator
-- approved it, its status; its discount rates per product kind (hundredths of a percent).
CREATE TABLE partners (
    organization_id INTEGER PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    trade_register  TEXT    NOT NULL,
    website         TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('applied', 'approved', 'refused')),
    applied_by      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    applied_at      INTEGER NOT NULL,
    decided_at      INTEGER,
    refusal_reason  TEXT    NOT NULL DEFAULT ''
);
CREATE TABLE partner_rates (
    organization_id INTEGER NOT NULL REFERENCES partners (organization_id) ON DELETE CASCADE,
    product_kind    TEXT    NOT NULL,
    percent         INTEGER NOT NULL CHECK (percent > 0 AND percent < 10000),
    PRIMARY KEY (organization_id, product_kind)
);
-- A partner's request for access to a customer, and what the customer granted: requested and
-- granted are kept apart. Only the emailed link's SHA-256 is stored. One active relationship
-- per partner and customer.
CREATE TABLE partner_customers (
    id                 INTEGER PRIMARY KEY,
    partner_id         INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email              TEXT    NOT NULL,
    token_hash         TEXT    NOT NULL UNIQUE,
    requested_by       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    requested_at       INTEGER NOT NULL,
    request_expires_at INTEGER NOT NULL,
    requested_access   TEXT    NOT NULL CHECK (requested_access IN ('full_customer_pays', 'full_partner_pays', 'limited')),
    requested_until    INTEGER,
    state              TEXT    NOT NULL CHECK (state IN ('requested', 'active', 'refused', 'cancelled', 'ended')),
    customer_id        INTEGER REFERENCES organizations (id) ON DELETE CASCADE,
    answered_by        INTEGER REFERENCES users (id) ON DELETE SET NULL,
    answered_at        INTEGER,
    granted_access     TEXT    CHECK (granted_access IN ('full_customer_pays', 'full_partner_pays', 'limited')),
    granted_until      INTEGER,
    ended_at           INTEGER,
    reminded_at        INTEGER,
    CHECK (state <> 'active' OR (customer_id IS NOT NULL AND granted_access IS NOT NULL))
);
CREATE UNIQUE INDEX partner_customers_one_active ON partner_customers (partner_id, customer_id) WHERE state = 'active';
CREATE INDEX partner_customers_of_customer ON partner_customers (customer_id) WHERE state = 'active';
CREATE INDEX partner_customers_of_partner ON partner_customers (partner_id, state);
-- The products a limited grant reaches.
CREATE TABLE partner_customer_products (
    relationship_id INTEGER NOT NULL REFERENCES partner_customers (id) ON DELETE CASCADE,
    product_id      INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    PRIMARY KEY (relationship_id, product_id)
);
