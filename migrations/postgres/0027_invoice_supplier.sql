-- Who issued the invoice (BIL-4; Swiss VAT law asks for the supplier's name, address and VAT
-- number on it), frozen with the invoice like everything else on it: line by line.
ALTER TABLE invoices ADD COLUMN supplier TEXT NOT NULL DEFAULT '';
