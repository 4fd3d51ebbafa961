-- Where a session's replay job is going, recorded before it moves anything (issue 9): the video it
-- makes (a permanent live's new video, or the live itself) and the media path it publishes. A
-- retried or restarted job reads them and resumes instead of starting over or giving up.
ALTER TABLE live_sessions ADD COLUMN replay_target_video_id integer REFERENCES videos(id) ON DELETE SET NULL;
ALTER TABLE live_sessions ADD COLUMN replay_target_path text;
