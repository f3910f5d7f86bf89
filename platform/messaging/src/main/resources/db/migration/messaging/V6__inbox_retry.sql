-- A delivery whose mapping must call the external system (TikTok Shop sends ids, not objects)
-- is retried with backoff when that call cannot be made now; other deliveries go on meanwhile.
ALTER TABLE inbox ADD COLUMN attempts INTEGER DEFAULT 0 NOT NULL;
ALTER TABLE inbox ADD COLUMN next_attempt_at TIMESTAMP WITH TIME ZONE;
