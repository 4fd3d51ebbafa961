-- Chapters of a video (PeerTube: timecode in seconds, title); one chapter per timecode.
CREATE TABLE video_chapters (
  id serial PRIMARY KEY,
  video_id integer NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
  timecode integer NOT NULL CHECK (timecode >= 0),
  title text NOT NULL,
  UNIQUE (video_id, timecode)
);

-- A video's storyboard: one sprite sheet and its WebVTT track, next to the video's HLS
-- (<hls_path>/storyboard.jpg, storyboard.vtt). state: pending | running | done | failed.
CREATE TABLE video_storyboards (
  video_id integer PRIMARY KEY REFERENCES videos(id) ON DELETE CASCADE,
  state text NOT NULL DEFAULT 'pending',
  progress real NOT NULL DEFAULT 0,
  error text,
  filename text,
  total_width integer,
  total_height integer,
  sprite_width integer,
  sprite_height integer,
  sprite_duration integer,
  updated_at timestamptz NOT NULL DEFAULT now()
);
