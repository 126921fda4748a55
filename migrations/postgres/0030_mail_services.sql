-- Mail services (MAIL-1..5): the addresses of a mail service, the people who use each address
-- with their 11 permissions (a bit each, `mailboxes::MailRight`), the global configuration (the
-- service's default permissions), maintenance, and the devices' passwords — stored only as a
-- keyed hash (HMAC-SHA256 with the server's device key), looked up by that hash.
ALTER TABLE products ADD COLUMN mail_default_rights BIGINT NOT NULL DEFAULT 2047;

CREATE TABLE mail_addresses (
    id              BIGSERIAL PRIMARY KEY,
    product_id      BIGINT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    address         TEXT    NOT NULL UNIQUE,
    local_part      TEXT    NOT NULL,
    domain          TEXT    NOT NULL,
    maintenance_at  BIGINT,
    maintenance_by  BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX mail_addresses_product ON mail_addresses (product_id);

CREATE TABLE mail_users (
    id          BIGSERIAL PRIMARY KEY,
    address_id  BIGINT NOT NULL REFERENCES mail_addresses(id) ON DELETE CASCADE,
    email       TEXT    NOT NULL,
    user_id     BIGINT REFERENCES users(id) ON DELETE SET NULL,
    rights      BIGINT NOT NULL CHECK (rights >= 0 AND rights < 2048),
    added_at    BIGINT NOT NULL,
    UNIQUE (address_id, email)
);
CREATE INDEX mail_users_user ON mail_users (user_id);
CREATE INDEX mail_users_email ON mail_users (email);

-- A device's password; `generic` is the one password an address created before device
-- passwords may carry (no user, never shown, not resettable). A disconnected device keeps its
-- row (out of the list) so that its password answers "disconnected", not "wrong password".
CREATE TABLE mail_devices (
    id              BIGSERIAL PRIMARY KEY,
    address_id      BIGINT NOT NULL REFERENCES mail_addresses(id) ON DELETE CASCADE,
    mail_user_id    BIGINT REFERENCES mail_users(id) ON DELETE SET NULL,
    name            TEXT    NOT NULL,
    generic         BOOLEAN NOT NULL DEFAULT FALSE,
    secret_hash     TEXT    NOT NULL,
    created_at      BIGINT NOT NULL,
    last_used_at    BIGINT,
    disconnected_at BIGINT,
    -- The last refusal of this device's password (its reason, when): a mail client retrying
    -- against an address in maintenance is logged once an hour, not at every retry.
    last_refusal    TEXT,
    last_refused_at BIGINT
);
CREATE INDEX mail_devices_secret ON mail_devices (address_id, secret_hash);

-- Setup links sent to a user for one device (30 days, single use; only the token's hash).
CREATE TABLE mail_device_setups (
    id            BIGSERIAL PRIMARY KEY,
    address_id    BIGINT NOT NULL REFERENCES mail_addresses(id) ON DELETE CASCADE,
    mail_user_id  BIGINT NOT NULL REFERENCES mail_users(id) ON DELETE CASCADE,
    device_name   TEXT    NOT NULL,
    token_hash    TEXT    NOT NULL UNIQUE,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    used_at       BIGINT
);

-- Refused device sign-ins, for the rate limit of the device-authentication endpoint.
CREATE TABLE mail_auth_failures (
    id          BIGSERIAL PRIMARY KEY,
    address     TEXT    NOT NULL,
    remote_ip   TEXT    NOT NULL,
    at          BIGINT NOT NULL
);
CREATE INDEX mail_auth_failures_address ON mail_auth_failures (address, at);

-- Keys the server makes for itself when the operator gives none (the device key).
CREATE TABLE server_secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
