-- Profile pictures (ACC-3): decoded and re-encoded by the server as a 256×256 PNG, so what is
-- stored is always an image we made ourselves, never the uploaded bytes.
CREATE TABLE avatars (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    image      BLOB    NOT NULL,
    updated_at INTEGER NOT NULL
);
