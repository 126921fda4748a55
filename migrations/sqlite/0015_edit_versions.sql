-- Optimistic concurrency for forms that save what a person edited: a save carries the version
-- it started from and changes the row only while it is still that version (then one more), so
-- two people editing at once, or a form saved from a stale page, never overwrite a newer change.
ALTER TABLE tags ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE organizations ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
-- users.version: the profile (name); safety_version: the sign-in alert and lockout settings;
ALTER TABLE users ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN safety_version INTEGER NOT NULL DEFAULT 1;
-- contacts_version: the recovery email and phone.
ALTER TABLE users ADD COLUMN contacts_version INTEGER NOT NULL DEFAULT 1;
