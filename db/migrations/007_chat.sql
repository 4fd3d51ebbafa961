-- Live chat. A room belongs to a live video, or to a channel for permanent lives whose chat is
-- per channel (lives.chat_room = 'channel'). Messages are never removed: deletion and clearing only
-- hide them, so nothing stored is lost and moderators can review what happened.
ALTER TABLE lives ADD COLUMN chat_room text NOT NULL DEFAULT 'video' CHECK (chat_room IN ('video', 'channel'));

CREATE TABLE chat_rooms (
  id serial PRIMARY KEY,
  video_id integer UNIQUE REFERENCES videos(id) ON DELETE CASCADE,
  channel_id integer NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  per_channel boolean NOT NULL DEFAULT false,
  slow_mode_seconds integer NOT NULL DEFAULT 0 CHECK (slow_mode_seconds BETWEEN 0 AND 86400),
  mode text NOT NULL DEFAULT 'open' CHECK (mode IN ('open', 'registered', 'followers')),
  forbidden_words text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX chat_rooms_channel ON chat_rooms (channel_id) WHERE per_channel;

CREATE TABLE chat_messages (
  id bigserial PRIMARY KEY,
  room_id integer NOT NULL REFERENCES chat_rooms(id) ON DELETE CASCADE,
  video_id integer REFERENCES videos(id) ON DELETE SET NULL,
  session_id integer REFERENCES live_sessions(id) ON DELETE SET NULL,
  offset_ms integer,
  -- 'a:<account id>', 'n:<hash of the browser's anonId>', 's:<socket id>' or 'x:<xmpp nick>'.
  author_key text NOT NULL,
  -- Salted hash of an anonymous author's IP address (bans), null otherwise.
  author_ip_hash text,
  account_id integer REFERENCES accounts(id) ON DELETE SET NULL,
  nick text NOT NULL,
  color text NOT NULL,
  moderator boolean NOT NULL DEFAULT false,
  source text NOT NULL DEFAULT 'web' CHECK (source IN ('web', 'xmpp')),
  bridge_id text,
  text text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);
CREATE INDEX chat_messages_room ON chat_messages (room_id, id DESC);
CREATE INDEX chat_messages_author ON chat_messages (room_id, author_key, id DESC);
CREATE INDEX chat_messages_session ON chat_messages (session_id, offset_ms);
CREATE INDEX chat_messages_bridge ON chat_messages (room_id, bridge_id) WHERE bridge_id IS NOT NULL;

-- Bans (expires_at null) and timeouts hold for every room of the channel.
CREATE TABLE chat_bans (
  id serial PRIMARY KEY,
  channel_id integer NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  target_keys text[] NOT NULL,
  target_label text NOT NULL,
  expires_at timestamptz,
  reason text NOT NULL DEFAULT '',
  created_by integer REFERENCES accounts(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  lifted_at timestamptz
);
CREATE INDEX chat_bans_channel ON chat_bans (channel_id) WHERE lifted_at IS NULL;

CREATE TABLE chat_moderation_log (
  id serial PRIMARY KEY,
  room_id integer NOT NULL REFERENCES chat_rooms(id) ON DELETE CASCADE,
  actor_account_id integer REFERENCES accounts(id) ON DELETE SET NULL,
  actor text NOT NULL,
  action text NOT NULL,
  target text,
  details jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX chat_moderation_log_room ON chat_moderation_log (room_id, id DESC);

CREATE TABLE channel_chat_moderators (
  channel_id integer NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  account_id integer NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  PRIMARY KEY (channel_id, account_id)
);

-- Channel follows (PeerTube's user subscriptions); followers-only chat reads them.
CREATE TABLE channel_subscriptions (
  account_id integer NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  channel_id integer NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, channel_id)
);

-- socket.io's postgres adapter keeps payloads too large for NOTIFY here.
CREATE TABLE IF NOT EXISTS socket_io_attachments (
  id bigserial UNIQUE,
  created_at timestamptz DEFAULT NOW(),
  payload bytea
);
