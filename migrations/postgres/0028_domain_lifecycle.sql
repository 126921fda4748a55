-- A domain's life after expiry (PRD-4): the stage the scheduler moved it to (each move once:
-- it updates only from the stage it read), since when, and its renewal warranty. A released
-- domain keeps its row: gone from the list, kept in the released-domains history and the log.
ALTER TABLE products ADD COLUMN stage TEXT NOT NULL DEFAULT 'active'
    CHECK (stage IN ('active', 'expired', 'redemption', 'pending_delete', 'released'));
ALTER TABLE products ADD COLUMN stage_since BIGINT;
-- Renewed at expiry even without automatic renewal, while the warranty runs.
ALTER TABLE products ADD COLUMN warranty_until BIGINT;

-- What a cart or order line does: a new product, a renewal, a domain's restore (restore fee +
-- one renewal), a year of renewal warranty, or a domain transferred in.
ALTER TABLE cart_lines ADD COLUMN purpose TEXT NOT NULL DEFAULT 'new'
    CHECK (purpose IN ('new', 'renewal', 'restore', 'warranty', 'transfer'));
UPDATE cart_lines SET purpose = 'renewal' WHERE product_id IS NOT NULL;
ALTER TABLE order_lines ADD COLUMN purpose TEXT NOT NULL DEFAULT 'new'
    CHECK (purpose IN ('new', 'renewal', 'restore', 'warranty', 'transfer'));
UPDATE order_lines SET purpose = 'renewal' WHERE product_id IS NOT NULL;

-- When a line was carried out (its product created, renewed…): a domain under renewal warranty
-- is renewed at expiry before its invoice is paid, and the payment then does not renew it again.
ALTER TABLE order_lines ADD COLUMN carried_out_at BIGINT;
