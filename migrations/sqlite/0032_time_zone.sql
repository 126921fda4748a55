-- Times are shown in the person's time zone: the IANA name chosen in the profile, or '' for
-- the one the browser reports.
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
