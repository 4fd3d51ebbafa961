-- Views (PeerTube's `views`), the date of the last re-upload of the source (PeerTube's
-- inputFileUpdatedAt), and comments: a thread is a root comment (thread_id = its own id) and its
-- replies (in_reply_to: the comment answered). Text is plain text, never HTML.
ALTER TABLE videos ADD COLUMN views integer NOT NULL DEFAULT 0;
ALTER TABLE videos ADD COLUMN input_file_updated_at timestamptz;

CREATE TABLE video_comments (
  id serial PRIMARY KEY,
  video_id integer NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
  thread_id integer REFERENCES video_comments(id) ON DELETE CASCADE,
  in_reply_to integer REFERENCES video_comments(id) ON DELETE CASCADE,
  account_id integer NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  text text NOT NULL CHECK (length(text) BETWEEN 1 AND 10000),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX video_comments_video ON video_comments (video_id, created_at DESC);
CREATE INDEX video_comments_thread ON video_comments (thread_id, created_at);
