-- A video's on-demand HLS (a replay's recorded session, later uploads): relative to the media root.
ALTER TABLE videos ADD COLUMN hls_path text;
ALTER TABLE videos ADD COLUMN thumbnail_path text;
-- The video a session's replay became: the live itself (normal live) or a new one (permanent live).
ALTER TABLE live_sessions ADD COLUMN replay_video_id integer REFERENCES videos(id) ON DELETE SET NULL;
-- Whether the session recorded every segment for a replay (saveReplay at the time it started).
ALTER TABLE live_sessions ADD COLUMN save_replay boolean NOT NULL DEFAULT false;
