-- The attention queue's reads: the centre a pending handover waits on, when
-- an open task falls due, and what each officer has marked seen (a personal
-- mark, not part of the record: it is in no event).
ALTER TABLE incidents ADD COLUMN awaiting TEXT;
UPDATE incidents SET awaiting = CASE
    WHEN json_type(data, '$.handover') IS NULL OR json_type(data, '$.handover') = 'null' THEN NULL
    WHEN json_extract(data, '$.handover.asked_by') = json_extract(data, '$.handover.from')
        THEN json_extract(data, '$.handover.to')
    ELSE json_extract(data, '$.handover.from') END;
CREATE INDEX incidents_awaiting ON incidents (awaiting) WHERE awaiting IS NOT NULL;
CREATE INDEX incidents_unacknowledged ON incidents (centre, reported_at_ms)
    WHERE is_open AND status = 'reported' AND severity IN ('critical', 'high');

ALTER TABLE tasks ADD COLUMN due_at_ms BIGINT;
UPDATE tasks SET due_at_ms =
    CAST(ROUND((julianday(json_extract(data, '$.due_at')) - 2440587.5) * 86400000) AS INTEGER)
    WHERE json_type(data, '$.due_at') = 'text';
CREATE INDEX tasks_due ON tasks (due_at_ms) WHERE is_open AND due_at_ms IS NOT NULL;

CREATE TABLE attention_seen (
    officer_id TEXT   NOT NULL,
    item       TEXT   NOT NULL,
    seen_ms    BIGINT NOT NULL,
    PRIMARY KEY (officer_id, item)
);
