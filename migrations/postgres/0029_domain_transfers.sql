-- Domain transfers in (PRD-5). The authorization code a person typed is kept only until the
-- registry has been asked (on the cart line, the paid order line, then the product), and
-- cleared then; a failed transfer keeps its reason and a single-use restart link (its hash).
ALTER TABLE cart_lines ADD COLUMN auth_code TEXT NOT NULL DEFAULT '';
ALTER TABLE order_lines ADD COLUMN auth_code TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN transfer_state TEXT
    CHECK (transfer_state IN ('pending', 'failed', 'done'));
ALTER TABLE products ADD COLUMN transfer_code TEXT;
ALTER TABLE products ADD COLUMN transfer_failure TEXT;
ALTER TABLE products ADD COLUMN transfer_attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE products ADD COLUMN transfer_restart_hash TEXT;
ALTER TABLE products ADD COLUMN transfer_restart_expires BIGINT;

-- What "the current registrar" knows of a domain, for the embedded registry simulation (the
-- operator's simulate-registrar-domain command, the demo, the tests). A real registrar
-- connection does not use it.
CREATE TABLE simulated_registry (
    domain          TEXT    PRIMARY KEY,
    auth_code       TEXT    NOT NULL,
    locked          BOOLEAN NOT NULL DEFAULT FALSE,
    registered_at   BIGINT NOT NULL,
    in_redemption   BOOLEAN NOT NULL DEFAULT FALSE,
    holder_confirms BOOLEAN NOT NULL DEFAULT TRUE
);
