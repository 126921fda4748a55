-- The organization a person last opened: where they land after signing in (a preference, not
-- a grant — it is used only while they are still a member there).
ALTER TABLE users ADD COLUMN last_organization_id INTEGER;
