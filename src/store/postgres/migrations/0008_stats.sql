-- The picture's reads: an incident's sector (given, or filled from its
-- position) and when it was first triaged (acknowledged, or dismissed
-- straight away), so /stats counts per sector and SLA compliance in the
-- database. One covering index serves every count over a window.
ALTER TABLE incidents ADD COLUMN sector TEXT;
ALTER TABLE incidents ADD COLUMN triaged_at_ms BIGINT;
UPDATE incidents SET
    sector = data::jsonb #>> '{location,sector}',
    triaged_at_ms = (EXTRACT(EPOCH FROM COALESCE(data::jsonb ->> 'acknowledged_at',
                                                 data::jsonb ->> 'closed_at')::timestamptz) * 1000)::bigint;
CREATE INDEX incidents_stats ON incidents
    (reported_at_ms, category, severity, sector, triaged_at_ms) INCLUDE (audience);
