-- Shifts: who is on duty at each centre. At most one shift open per
-- officer (ended_at_ms NULL), enforced here as well as by the rule.
CREATE TABLE shifts (
    id           TEXT PRIMARY KEY,
    centre       TEXT   NOT NULL,
    officer_id   TEXT   NOT NULL,
    started_at_ms BIGINT NOT NULL,
    ended_at_ms  BIGINT,
    data         TEXT   NOT NULL
);
CREATE INDEX shifts_centre ON shifts (centre, started_at_ms);
CREATE UNIQUE INDEX shifts_one_open ON shifts (officer_id) WHERE ended_at_ms IS NULL;
