-- The activity log names the product an entry is about (SEC-9's product filter), when it is
-- about exactly one. No foreign key, as for the rest of the log: entries outlive products.
ALTER TABLE activity_log ADD COLUMN product_id INTEGER;
CREATE INDEX activity_by_product ON activity_log (product_id, id);
-- A date range is served from these, not by walking the log back from its newest entry.
CREATE INDEX activity_by_organization_time ON activity_log (organization_id, occurred_at);
CREATE INDEX activity_by_actor_time ON activity_log (actor_user_id, occurred_at);
