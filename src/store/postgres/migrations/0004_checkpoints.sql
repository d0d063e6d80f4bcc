-- Signed checkpoints are events (`audit.checkpoint`); listing them, and
-- finding each kind of event, reads this index instead of the whole log.
CREATE INDEX events_kind ON events (kind, seq);
