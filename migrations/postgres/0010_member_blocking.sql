-- Blocking a member (ORG-6): while blocked_at is set, the person stays a member — nothing of
-- theirs is deleted, their product accesses are kept — but reaches nothing in the organization
-- beyond its name, until an administrator unblocks them.
ALTER TABLE memberships ADD COLUMN blocked_at BIGINT;
ALTER TABLE memberships ADD COLUMN blocked_by BIGINT REFERENCES users (id) ON DELETE SET NULL;
