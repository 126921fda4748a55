-- The shop (BIL-4): promo codes the operator creates, free offers granted to an organization,
-- the organization's cart, orders and their invoices. Orders and invoices have no foreign key
-- to the organization: money records outlive what they were about.

CREATE TABLE promo_codes (
    id           BIGSERIAL PRIMARY KEY,
    code         TEXT    NOT NULL UNIQUE,
    -- Exactly one of: a percentage in hundredths (10000 = 100 %), or a fixed amount.
    percent      BIGINT CHECK (percent BETWEEN 1 AND 10000),
    amount_minor BIGINT CHECK (amount_minor > 0),
    currency     TEXT    CHECK (currency IN ('CHF', 'EUR')),
    -- Product kinds it applies to, comma-separated; empty: every kind.
    kinds        TEXT    NOT NULL DEFAULT '',
    expires_at   BIGINT,
    max_uses     BIGINT CHECK (max_uses > 0),
    uses         BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    CHECK ((percent IS NULL) <> (amount_minor IS NULL)),
    CHECK ((amount_minor IS NULL) = (currency IS NULL)),
    CHECK (max_uses IS NULL OR uses <= max_uses)
);

-- One use per organization: the key refuses a second.
CREATE TABLE promo_code_uses (
    promo_code_id   BIGINT NOT NULL REFERENCES promo_codes (id),
    organization_id BIGINT NOT NULL,
    order_id        BIGINT NOT NULL,
    PRIMARY KEY (promo_code_id, organization_id)
);

-- An offer granted to an organization: one item of a product kind free for some periods.
CREATE TABLE free_offers (
    id              BIGSERIAL PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL,
    periods         BIGINT NOT NULL CHECK (periods > 0),
    label           TEXT    NOT NULL,
    granted_at      BIGINT NOT NULL,
    used_by_order   BIGINT
);

CREATE TABLE cart_lines (
    id              BIGSERIAL PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL,
    plan            TEXT    NOT NULL,
    -- A new product's name, or the renewed product's.
    name            TEXT    NOT NULL,
    -- Set for a renewal.
    product_id      BIGINT REFERENCES products (id) ON DELETE CASCADE,
    quantity        BIGINT NOT NULL CHECK (quantity BETWEEN 1 AND 1000),
    periods         BIGINT NOT NULL CHECK (periods BETWEEN 1 AND 120),
    promo_code      TEXT    NOT NULL DEFAULT '',
    free_offer_id   BIGINT REFERENCES free_offers (id) ON DELETE SET NULL,
    added_by        BIGINT,
    created_at      BIGINT NOT NULL
);
CREATE INDEX cart_lines_by_organization ON cart_lines (organization_id, id);

CREATE TABLE orders (
    id              BIGSERIAL PRIMARY KEY,
    organization_id BIGINT NOT NULL,
    currency        TEXT    NOT NULL CHECK (currency IN ('CHF', 'EUR')),
    total_minor     BIGINT NOT NULL CHECK (total_minor >= 0),
    payment         TEXT    NOT NULL CHECK (payment IN ('prepaid', 'bank_transfer', 'none')),
    status          TEXT    NOT NULL CHECK (status IN ('awaiting_payment', 'paid', 'cancelled')),
    -- Sent by the page with the order: a retried request finds the order it placed.
    idempotency_key TEXT    NOT NULL,
    placed_by       BIGINT,
    placed_at       BIGINT NOT NULL,
    paid_at         BIGINT,
    cancelled_at    BIGINT,
    UNIQUE (organization_id, idempotency_key)
);
CREATE INDEX orders_by_organization ON orders (organization_id, id);

CREATE TABLE order_lines (
    order_id   BIGINT NOT NULL REFERENCES orders (id),
    position   BIGINT NOT NULL,
    kind       TEXT    NOT NULL,
    plan       TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    product_id BIGINT,
    quantity   BIGINT NOT NULL,
    periods    BIGINT NOT NULL,
    period     TEXT    NOT NULL CHECK (period IN ('month', 'year')),
    PRIMARY KEY (order_id, position)
);

-- Invoice numbers run without a gap in each currency: the counter is taken in the
-- transaction that issues the invoice, so a rolled-back order gives its number back.
CREATE TABLE invoice_numbers (
    currency    TEXT    PRIMARY KEY,
    last_number BIGINT NOT NULL
);
INSERT INTO invoice_numbers (currency, last_number) VALUES ('CHF', 0), ('EUR', 0);

-- An invoice never changes once issued: its address, lines, rates and totals are frozen.
CREATE TABLE invoices (
    id                BIGSERIAL PRIMARY KEY,
    organization_id   BIGINT NOT NULL,
    order_id          BIGINT NOT NULL UNIQUE REFERENCES orders (id),
    currency          TEXT    NOT NULL,
    number            BIGINT NOT NULL,
    organization_name TEXT    NOT NULL,
    address           TEXT    NOT NULL,
    net_minor         BIGINT NOT NULL,
    vat_minor         BIGINT NOT NULL,
    rounding_minor    BIGINT NOT NULL,
    total_minor       BIGINT NOT NULL,
    payment_reference TEXT    NOT NULL DEFAULT '',
    issued_at         BIGINT NOT NULL,
    UNIQUE (currency, number)
);
CREATE INDEX invoices_by_organization ON invoices (organization_id, id);

CREATE TABLE invoice_lines (
    invoice_id  BIGINT NOT NULL REFERENCES invoices (id),
    position    BIGINT NOT NULL,
    description TEXT    NOT NULL,
    quantity    BIGINT NOT NULL,
    periods     BIGINT NOT NULL,
    period      TEXT    NOT NULL,
    list_minor  BIGINT NOT NULL,
    -- The reductions as applied, one per line of text: "label\ttaken_minor".
    reductions  TEXT    NOT NULL DEFAULT '',
    net_minor   BIGINT NOT NULL,
    -- Hundredths of a percent, as it was when the invoice was issued.
    vat_rate    BIGINT NOT NULL,
    PRIMARY KEY (invoice_id, position)
);

CREATE FUNCTION invoices_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'invoices are immutable';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER invoices_no_change BEFORE UPDATE OR DELETE ON invoices
    FOR EACH ROW EXECUTE FUNCTION invoices_immutable();
CREATE TRIGGER invoice_lines_no_change BEFORE UPDATE OR DELETE ON invoice_lines
    FOR EACH ROW EXECUTE FUNCTION invoices_immutable();
