-- An issued invoice cannot gain a line (BIL-4): it states how many it has, and the database
-- refuses a line beyond that count — as it already refuses changing or deleting one. Existing
-- invoices are counted as they stand (the update triggers step aside for that one statement).
ALTER TABLE invoices ADD COLUMN line_count INTEGER NOT NULL DEFAULT 0;
DROP TRIGGER invoices_no_update;
UPDATE invoices SET line_count = (SELECT COUNT(*) FROM invoice_lines l WHERE l.invoice_id = invoices.id);
CREATE TRIGGER invoices_no_update BEFORE UPDATE ON invoices
BEGIN
    SELECT RAISE(ABORT, 'invoices are immutable');
END;
CREATE TRIGGER invoice_lines_no_extra BEFORE INSERT ON invoice_lines
WHEN (SELECT COUNT(*) FROM invoice_lines WHERE invoice_id = NEW.invoice_id)
     >= (SELECT line_count FROM invoices WHERE id = NEW.invoice_id)
BEGIN
    SELECT RAISE(ABORT, 'invoices are immutable');
END;
