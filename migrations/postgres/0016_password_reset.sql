-- "Forgot your password?": single-use links valid 30 minutes. Only the SHA-256 of the token is
-- stored. channel: 'email' (login or recovery email) or 'sms' (recovery phone).
CREATE TABLE password_resets (
    token_hash TEXT    PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channel    TEXT    NOT NULL CHECK (channel IN ('email', 'sms')),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX password_resets_by_user ON password_resets (user_id, created_at);
