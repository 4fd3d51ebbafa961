-- Unfinished uploads (tus, PeerTube resumable, re-uploads of a source): who owns each one, where its
-- partial file lives, and the size it declared, which counts toward its owner's quota from its
-- creation until it completes (then the video's real size counts) or expires (uploads.unfinishedExpirySeconds).
CREATE TABLE upload_reservations (
  upload_id text PRIMARY KEY,
  user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  folder text NOT NULL,
  size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
  -- A tus upload's checked metadata (video passwords already hashed), kept here rather than in tus's
  -- own metadata, which its HEAD answers show and its state files keep.
  metadata jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX upload_reservations_user ON upload_reservations (user_id);
CREATE INDEX upload_reservations_expiry ON upload_reservations (expires_at);
