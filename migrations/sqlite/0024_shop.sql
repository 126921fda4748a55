-- The shop (BIL-4): promo codes the operator creates, free offers granted to an organization,
-- the organization's cart, orders and their invoices. Orders and invoices have no foreign key
-- to the organization: money records outlive what they were about.

CREATE TABLE promo_codes (
    id           INTEGER PRIMARY KEY,
    code         TEXT    NOT NULL UNIQUE,
    -- Exactly one of: a percentage in hundredths (10000 = 100 %), or a fixed amount.
    percent      INTEGER CHECK (percent BETWEEN 1 AND 10000),
    amount_minor INTEGER CHECK (amount_minor > 0),
    currency     TEXT    CHECK (currency IN ('CHF', 'EUR')),
    -- Product kinds it applies to, comma-separated; empty: every kind.
    kinds        TEXT    NOT NULL DEFAULT '',
    expires_at   INTEGER,
    max_uses     INTEGER CHECK (max_uses > 0),
    uses         INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    CHECK ((percent IS NULL) <> (amount_minor IS NULL)),
    CHECK ((amount_minor IS NULL) = (currency IS NULL)),
    CHECK (max_uses IS NULL OR uses <= max_uses)
);

-- One use per organization: the key refuses a second.
CREATE TABLE promo_code_uses (
    promo_code_id   INTEGER NOT NULL REFERENCES promo_codes (id),
    organization_id INTEGER NOT NULL,
    order_id        INTEGER NOT NULL,
    PRIMARY KEY (promo_code_id, organization_id)
);

-- An offer granted to an organization: one item of a product kind free for some periods.
CREATE TABLE free_offers (
    id              INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL,
    periods         INTEGER NOT NULL CHECK (periods > 0),
    label           TEXT    NOT NULL,
    granted_at      INTEGER NOT NULL,
    used_by_order   INTEGER
);

CREATE TABLE cart_lines (
    id              INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL,
    plan            TEXT    NOT NULL,
    -- A new product's name, or the renewed product's.
    name            TEXT    NOT NULL,
    -- Set for a renewal.
    product_id      INTEGER REFERENCES products (id) ON DELETE CASCADE,
    quantity        INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 1000),
    periods         INTEGER NOT NULL CHECK (periods BETWEEN 1 AND 120),
    promo_code      TEXT    NOT NULL DEFAULT '',
    free_offer_id   INTEGER REFERENCES free_offers (id) ON DELETE SET NULL,
    added_by        INTEGER,
    created_at      INTEGER NOT NULL
);
CREATE INDEX cart_lines_by_organization ON cart_lines (organization_id, id);

CREATE TABLE orders (
    id              INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL,
    currency        TEXT    NOT NULL CHECK (currency IN ('CHF', 'EUR')),
    total_minor     INTEGER NOT NULL CHECK (total_minor >= 0),
    payment         TEXT    NOT NULL CHECK (payment IN ('prepaid', 'bank_transfer', 'none')),
    status          TEXT    NOT NULL CHECK (status IN ('awaiting_payment', 'paid', 'cancelled')),
    -- Sent by the page with the order: a retried request finds the order it placed.
    idempotency_key TEXT    NOT NULL,
    placed_by       INTEGER,
    placed_at       INTEGER NOT NULL,
    paid_at         INTEGER,
    cancelled_at    INTEGER,
    UNIQUE (organization_id, idempotency_key)
);
CREATE INDEX orders_by_organization ON orders (organization_id, id);

CREATE TABLE order_lines (
    order_id   INTEGER NOT NULL REFERENCES orders (id),
    position   INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    plan       TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    product_id INTEGER,
    quantity   INTEGER NOT NULL,
    periods    INTEGER NOT NULL,
    period     TEXT    NOT NULL CHECK (period IN ('month', 'year')),
    PRIMARY KEY (order_id, position)
);

-- Invoice numbers run without a gap in each currency: the counter is taken in the
-- transaction that issues the invoice, so a rolled-back order gives its number back.
CREATE TABLE invoice_numbers (
    currency    TEXT    PRIMARY KEY,
    last_number INTEGER NOT NULL
);
INSERT INTO invoice_numbers (currency, last_number) VALUES ('CHF', 0), ('EUR', 0);

-- An invoice never changes once issued: its address, lines, rates and totals are frozen.
CREATE TABLE invoices (
    id                INTEGER PRIMARY KEY,
    organization_id   INTEGER NOT NULL,
    order_id          INTEGER NOT NULL UNIQUE REFERENCES orders (id),
    currency          TEXT    NOT NULL,
    number            INTEGER NOT NULL,
    organization_name TEXT    NOT NULL,
    address           TEXT    NOT NULL,
    net_minor         INTEGER NOT NULL,
    vat_minor         INTEGER NOT NULL,
    rounding_minor    INTEGER NOT NULL,
    total_minor       INTEGER NOT NULL,
    payment_reference TEXT    NOT NULL DEFAULT '',
    issued_at         INTEGER NOT NULL,
    UNIQUE (currency, number)
);
CREATE INDEX invoices_by_organization ON invoices (organization_id, id);

CREATE TABLE invoice_lines (
    invoice_id  INTEGER NOT NULL REFERENCES invoices (id),
    position    INTEGER NOT NULL,
    description TEXT    NOT NULL,
    quantity    INTEGER NOT NULL,
    periods     INTEGER NOT NULL,
    period      TEXT    NOT NULL,
    list_minor  INTEGER NOT NULL,
    -- The reductions as applied, one per line of text: "label\ttaken_minor".
    reductions  TEXT    NOT NULL DEFAULT '',
    net_minor   INTEGER NOT NULL,
    -- Hundredths of a percent, as it was when the invoice was issued.
    vat_rate    INTEGER NOT NULL,
    PRIMARY KEY (invoice_id, position)
);

CREATE TRIGGER invoices_no_update BEFORE UPDATE ON invoices
BEGIN
    SELECT RAISE(ABORT, 'invoices are immutable');
END;
CREATE TRIGGER invoices_no_delete BEFORE DELETE ON invoices
BEGIN
    SELECT RAISE(ABORT, 'invoices are immutable');
END;
CREATE TRIGGER invoice_lines_no_update BEFORE UPDATE ON invoice_lines
BEGIN
    SELECT RAISE(ABORT, 'invoices are immutable');
END;
CREATE TRIGGER invoice_lines_no_delete BEFORE DELETE ON invoice_lines
BEGIN
    SELECT RAISE(ABORT, 'invoices are immutable');
END;
