-- Each invoice line states the service period it pays for (VAT law asks for the date or period
-- of the service): from its first day to its last, as written when the invoice is issued.
-- Empty for lines that are not a period of service (a transfer's fee, a warranty).
ALTER TABLE invoice_lines ADD COLUMN service_from BIGINT;
ALTER TABLE invoice_lines ADD COLUMN service_until BIGINT;
