-- Blocking a product's management (PRD-3): while blocked_at is set, only administrators and legal
-- representatives manage the product; collaborators and externals with access only see it.
ALTER TABLE products ADD COLUMN blocked_at BIGINT;
ALTER TABLE products ADD COLUMN blocked_by BIGINT REFERENCES users (id) ON DELETE SET NULL;
