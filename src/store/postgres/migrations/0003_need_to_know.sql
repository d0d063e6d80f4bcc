-- Need-to-know: each incident, task and event carries the audience its
-- handling marking admits (model::marking), as ` tag tag ` text that reads
-- filter on. Everything written before markings existed is TLP:GREEN, seen
-- by everyone (` * `). `was_audience` is an incident event's audience before
-- the change, when the change narrowed or moved it (a stream then tells
-- those who lost sight of it that it is `redacted`).
ALTER TABLE incidents ADD COLUMN audience TEXT NOT NULL DEFAULT ' * ';
ALTER TABLE tasks ADD COLUMN audience TEXT NOT NULL DEFAULT ' * ';
-- The unit a task names: whoever sees the task's incident sees that unit's position.
ALTER TABLE tasks ADD COLUMN unit_id TEXT;
UPDATE tasks SET unit_id = (data::jsonb ->> 'unit_id');
CREATE INDEX tasks_unit ON tasks (unit_id) WHERE unit_id IS NOT NULL;
ALTER TABLE events ADD COLUMN audience TEXT NOT NULL DEFAULT ' * ';
ALTER TABLE events ADD COLUMN was_audience TEXT;
