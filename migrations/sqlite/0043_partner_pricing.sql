-- Partner pricing and cashback (PAR-4, PAR-5). An order a partner pays for a customer with its
-- own payment methods belongs to the customer (its products are created or renewed there) and
-- is paid by the partner (`paid_by`): the invoice is the partner's, at the partner's price.
ALTER TABLE orders ADD COLUMN paid_by INTEGER;
CREATE INDEX orders_paid_by ON orders (paid_by, id);
-- What a partner earns on an order its customer pays: one row per order line, written with the
-- order and credited to the partner's prepaid account (a ledger entry keyed by the same order
-- line) once the order is paid. No foreign keys: money records outlive what they mention.
CREATE TABLE partner_cashback (
    id              INTEGER PRIMARY KEY,
    partner_id      INTEGER NOT NULL,
    customer_id     INTEGER NOT NULL,
    relationship_id INTEGER NOT NULL,
    order_id        INTEGER NOT NULL,
    position        INTEGER NOT NULL,
    invoice_id      INTEGER NOT NULL,
    description     TEXT    NOT NULL,
    currency        TEXT    NOT NULL CHECK (currency IN ('CHF', 'EUR')),
    -- The line's price without VAT: what the customer pays, and the partner's price for it.
    public_minor    INTEGER NOT NULL,
    partner_minor   INTEGER NOT NULL,
    amount_minor    INTEGER NOT NULL CHECK (amount_minor > 0),
    created_at      INTEGER NOT NULL,
    credited_at     INTEGER,
    UNIQUE (order_id, position)
);
CREATE INDEX partner_cashback_by_partner ON partner_cashback (partner_id, credited_at);
