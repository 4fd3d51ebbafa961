-- Stream keys are no longer kept in clear (issue 9): publishers are looked up by the SHA-256 of
-- their key, and the owner's copy is an AES-256-GCM ciphertext (api/live/stream-keys.ts). The
-- encryption secret lives in server_secrets, which SQL cannot reach: the hashes are computed here,
-- and the server seals then erases the remaining clear keys (stream_key) when it starts.
ALTER TABLE lives ADD COLUMN stream_key_hash text;
ALTER TABLE lives ADD COLUMN stream_key_sealed bytea;
UPDATE lives SET stream_key_hash = encode(sha256(convert_to(lower(stream_key::text), 'UTF8')), 'hex');
ALTER TABLE lives ALTER COLUMN stream_key_hash SET NOT NULL;
ALTER TABLE lives ADD CONSTRAINT lives_stream_key_hash_key UNIQUE (stream_key_hash);
ALTER TABLE lives ALTER COLUMN stream_key DROP NOT NULL;
