-- Uploaded videos: the transcoding progress (percent), the reason a video failed to process,
-- and the size of the uploaded original (counted against the owner's quota).
ALTER TABLE videos ADD COLUMN processing_progress smallint;
ALTER TABLE videos ADD COLUMN processing_error text;
ALTER TABLE videos ADD COLUMN size_bytes bigint NOT NULL DEFAULT 0;
