-- Profile pictures (ACC-3): decoded and re-encoded by the server as a 256×256 PNG, so what is
-- stored is always an image we made ourselves, never the uploaded bytes.
CREATE TABLE avatars (
    user_id    BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    image      BYTEA   NOT NULL,
    updated_at BIGINT NOT NULL
);
