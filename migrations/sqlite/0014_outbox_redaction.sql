-- Delivered or abandoned messages keep no body: their links (invitations, unlock, "this wasn't
-- me", email changes) would still work for whoever reads a copy of the database. From now on
-- the delivery worker erases the body when it records the outcome; this erases the old ones.
UPDATE outbox SET body = '' WHERE sent_at IS NOT NULL OR failed_at IS NOT NULL;
