-- A customer's first hour. Sign-up asks whom the organization is for: a company's name waits
-- here with the rest until the address is confirmed ('' means the person's own name).
ALTER TABLE pending_sign_ups ADD COLUMN organization_name TEXT NOT NULL DEFAULT '';
