-- The client networks from which a device of an address signed in (an IPv4 address, or an
-- IPv6 /64): while the address is being guessed at from everywhere, only these still have
-- their passwords checked, so that guessing stays bounded per address and a real device is not
-- locked out. Kept 90 days after the last sign-in from them.
CREATE TABLE mail_known_clients (
    address_id      INTEGER NOT NULL REFERENCES mail_addresses (id) ON DELETE CASCADE,
    network         TEXT    NOT NULL,
    last_allowed_at INTEGER NOT NULL,
    PRIMARY KEY (address_id, network)
);
CREATE INDEX mail_auth_failures_client ON mail_auth_failures (remote_ip, at);
