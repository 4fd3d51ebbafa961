-- Password-protected videos (PeerTube's privacy 5): any of a video's passwords opens it. Only scrypt
-- hashes are stored (api/auth/password.ts), so, unlike PeerTube, the owner cannot read them back.
CREATE TABLE video_passwords (
  id serial PRIMARY KEY,
  video_id integer NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX video_passwords_video ON video_passwords (video_id);

-- Server-wide secrets made once at first start (e.g. the HMAC key of video file tokens): kept in the
-- database so that every process of one instance, and restarts, share them.
CREATE TABLE server_secrets (
  name text PRIMARY KEY,
  value bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
