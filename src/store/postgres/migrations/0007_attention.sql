-- The attention queue's reads: the centre a pending handover waits on, when
-- an open task falls due, and what each officer has marked seen (a personal
-- mark, not part of the record: it is in no event).
ALTER TABLE incidents ADD COLUMN awaiting TEXT;
UPDATE incidents SET awaiting = CASE
    WHEN jsonb_typeof(data::jsonb -> 'handover') IS DISTINCT FROM 'object' THEN NULL
    WHEN data::jsonb #>> '{handover,asked_by}' = data::jsonb #>> '{handover,from}'
        THEN data::jsonb #>> '{handover,to}'
    ELSE data::jsonb #>> '{handover,from}' END;
CREATE INDEX incidents_awaiting ON incidents (awaiting) WHERE awaiting IS NOT NULL;
CREATE INDEX incidents_unacknowledged ON incidents (centre, reported_at_ms)
    WHERE is_open AND status = 'reported' AND severity IN ('critical', 'high');

ALTER TABLE tasks ADD COLUMN due_at_ms BIGINT;
UPDATE tasks SET due_at_ms =
    (EXTRACT(EPOCH FROM (data::jsonb ->> 'due_at')::timestamptz) * 1000)::bigint
    WHERE jsonb_typeof(data::jsonb -> 'due_at') = 'string';
CREATE INDEX tasks_due ON tasks (due_at_ms) WHERE is_open AND due_at_ms IS NOT NULL;

CREATE TABLE attention_seen (
    officer_id TEXT   NOT NULL,
    item       TEXT   NOT NULL,
    seen_ms    BIGINT NOT NULL,
    PRIMARY KEY (officer_id, item)
);
