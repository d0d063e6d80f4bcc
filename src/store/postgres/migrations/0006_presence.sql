-- Who is connected now: each server instance writes a row per officer with
-- an open event stream every few seconds; a row not refreshed within the
-- window (a dead instance's) no longer counts. Not part of the record.
CREATE TABLE presence (
    instance  TEXT   NOT NULL,
    officer_id TEXT  NOT NULL,
    seen_ms   BIGINT NOT NULL,
    data      TEXT   NOT NULL,
    PRIMARY KEY (instance, officer_id)
);
