-- The billing address a product's renewals are invoiced to (BIL-1: "when renewing a product,
-- choose the desired billing address"): chosen on the product's page and used by its automatic
-- renewals; none (or a deleted one) means the organization's default address.
ALTER TABLE products ADD COLUMN billing_address_id INTEGER REFERENCES billing_addresses (id) ON DELETE SET NULL;
