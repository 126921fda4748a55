-- When the person last proved it is them in this session (signing in, or the password asked
-- again by "confirm it's you"): server functions whose row requires a recent confirmation
-- check it (policy::CONFIRMATION_SECONDS).
ALTER TABLE sessions ADD COLUMN confirmed_at BIGINT;
