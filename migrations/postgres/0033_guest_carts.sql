-- Ordering is a way in: someone signed out fills a cart before they have an account. Its lines
-- wait here under the hash of a random cookie, at most 30 days, and move into the organization
-- the person opens the shop of once signed in (then they are deleted).
CREATE TABLE guest_cart_lines (
    id          BIGSERIAL PRIMARY KEY,
    token_hash  TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    periods     BIGINT  NOT NULL,
    created_at  BIGINT  NOT NULL
);
CREATE INDEX guest_cart_lines_token ON guest_cart_lines (token_hash);
CREATE INDEX guest_cart_lines_created ON guest_cart_lines (created_at);
