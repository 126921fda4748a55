-- A product's holder (PRD-7): who owns the rights, with the contact a registry asks for — the
-- name (`holder`, already there) and optionally a company, a postal address and an email. The
-- payer stays the organization, shown apart. Empty until given (products made before this).
ALTER TABLE products ADD COLUMN holder_company TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN holder_street TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN holder_postal_code TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN holder_city TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN holder_country TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN holder_email TEXT NOT NULL DEFAULT '';
