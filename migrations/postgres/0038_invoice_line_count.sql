-- An issued invoice cannot gain a line (BIL-4): it states how many it has, and the database
-- refuses a line beyond that count — as it already refuses changing or deleting one. Existing
-- invoices are counted as they stand (the update trigger steps aside for that one statement).
ALTER TABLE invoices ADD COLUMN line_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE invoices DISABLE TRIGGER invoices_no_change;
UPDATE invoices SET line_count = (SELECT COUNT(*) FROM invoice_lines l WHERE l.invoice_id = invoices.id);
ALTER TABLE invoices ENABLE TRIGGER invoices_no_change;
CREATE FUNCTION invoice_lines_counted() RETURNS trigger AS $$
BEGIN
    IF (SELECT COUNT(*) FROM invoice_lines WHERE invoice_id = NEW.invoice_id)
       >= (SELECT line_count FROM invoices WHERE id = NEW.invoice_id) THEN
        RAISE EXCEPTION 'invoices are immutable';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER invoice_lines_no_extra BEFORE INSERT ON invoice_lines
    FOR EACH ROW EXECUTE FUNCTION invoice_lines_counted();
