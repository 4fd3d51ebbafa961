CREATE TABLE users (
  id serial PRIMARY KEY,
  username text NOT NULL UNIQUE,
  email text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  role smallint NOT NULL DEFAULT 2, -- 0 admin, 1 moderator, 2 user (PeerTube's UserRole)
  created_at timestamptz NOT NULL DEFAULT now()
);

-- One account per user; channels belong to accounts (PeerTube's model).
CREATE TABLE accounts (
  id serial PRIMARY KEY,
  user_id integer NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
  name text NOT NULL UNIQUE,
  display_name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE channels (
  id serial PRIMARY KEY,
  account_id integer NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name text NOT NULL UNIQUE,
  display_name text NOT NULL,
  description text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE oauth_clients (
  id serial PRIMARY KEY,
  client_id text NOT NULL UNIQUE,
  client_secret text NOT NULL
);

CREATE TABLE oauth_tokens (
  id serial PRIMARY KEY,
  user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  access_token_hash text NOT NULL UNIQUE,
  refresh_token_hash text NOT NULL UNIQUE,
  access_expires_at timestamptz NOT NULL,
  refresh_expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE videos (
  id serial PRIMARY KEY,
  uuid uuid NOT NULL UNIQUE,
  channel_id integer NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  privacy smallint NOT NULL DEFAULT 1,
  state smallint NOT NULL,
  is_live boolean NOT NULL DEFAULT false,
  duration integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);
CREATE INDEX videos_created_at ON videos (created_at DESC);

CREATE TABLE lives (
  id serial PRIMARY KEY,
  video_id integer NOT NULL UNIQUE REFERENCES videos(id) ON DELETE CASCADE,
  stream_key uuid NOT NULL UNIQUE,
  save_replay boolean NOT NULL DEFAULT false,
  replay_privacy smallint,
  permanent_live boolean NOT NULL DEFAULT false,
  latency_mode smallint NOT NULL DEFAULT 1
);

CREATE TABLE live_sessions (
  id serial PRIMARY KEY,
  live_id integer NOT NULL REFERENCES lives(id) ON DELETE CASCADE,
  protocol text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  ended_at timestamptz,
  error smallint, -- PeerTube's LiveVideoError, null when it ended normally
  encoder text,
  renditions jsonb NOT NULL DEFAULT '[]'
);
CREATE INDEX live_sessions_live ON live_sessions (live_id, started_at DESC);
