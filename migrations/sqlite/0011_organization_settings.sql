-- Organization settings: require two-factor authentication of every member (SEC-4) and forbid
-- password reset by SMS (SEC-12; the recovery email is used instead).
ALTER TABLE organizations ADD COLUMN require_two_factor BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE organizations ADD COLUMN forbid_sms_reset BOOLEAN NOT NULL DEFAULT FALSE;
