-- Outbox bodies are sealed (AES-256-GCM) under a key kept outside the database (mail/seal.rs):
-- this names the key that sealed a row's body, so a process claims only what it can open.
-- NULL: a body written before sealing, read as it is (and erased once sent, as always).
ALTER TABLE outbox ADD COLUMN sealed_with TEXT;
