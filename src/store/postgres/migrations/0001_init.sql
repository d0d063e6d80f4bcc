-- Tandem schema v1 (PostgreSQL). Entities are stored as their JSON (exactly what
-- the API serves) beside the columns that queries filter and sort on.

CREATE TABLE events (
    seq        BIGINT PRIMARY KEY,
    at         TEXT    NOT NULL,
    actor      TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    entity     TEXT    NOT NULL,
    entity_id  TEXT    NOT NULL,
    version    BIGINT NOT NULL,
    data       TEXT    NOT NULL,
    prev_hash  TEXT    NOT NULL,
    hash       TEXT    NOT NULL
);
CREATE INDEX events_entity ON events (entity_id, seq);

CREATE TABLE incidents (
    id             TEXT PRIMARY KEY,
    reference      TEXT    NOT NULL UNIQUE,
    centre         TEXT    NOT NULL,
    status         TEXT    NOT NULL,
    severity       TEXT    NOT NULL,
    category       TEXT    NOT NULL,
    lead_agency_id TEXT,
    is_open        BOOLEAN NOT NULL,
    closed_at_ms   BIGINT,
    reported_at_ms BIGINT NOT NULL,
    search         TEXT    NOT NULL,
    version        BIGINT NOT NULL,
    data           TEXT    NOT NULL
);
CREATE INDEX incidents_current ON incidents (is_open, closed_at_ms);
CREATE INDEX incidents_reported ON incidents (reported_at_ms DESC, id DESC);
CREATE INDEX incidents_status ON incidents (status, reported_at_ms DESC);
CREATE INDEX incidents_severity ON incidents (severity, reported_at_ms DESC);
CREATE INDEX incidents_category ON incidents (category, reported_at_ms DESC);
CREATE INDEX incidents_centre ON incidents (centre, reported_at_ms DESC);
CREATE INDEX incidents_lead ON incidents (lead_agency_id, reported_at_ms DESC);

CREATE TABLE tasks (
    id          TEXT PRIMARY KEY,
    incident_id TEXT    NOT NULL,
    agency_id   TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    is_open     BOOLEAN NOT NULL,
    version     BIGINT NOT NULL,
    data        TEXT    NOT NULL
);
CREATE INDEX tasks_incident ON tasks (incident_id);
CREATE INDEX tasks_agency ON tasks (agency_id, is_open);

CREATE TABLE notes (
    id          TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL,
    at_ms       BIGINT NOT NULL,
    data        TEXT NOT NULL
);
CREATE INDEX notes_incident ON notes (incident_id, at_ms);

CREATE TABLE agencies (
    id      TEXT PRIMARY KEY,
    code    TEXT    NOT NULL UNIQUE,
    version BIGINT NOT NULL,
    data    TEXT    NOT NULL
);

CREATE TABLE units (
    id        TEXT PRIMARY KEY,
    agency_id TEXT    NOT NULL,
    callsign  TEXT    NOT NULL UNIQUE,
    version   BIGINT NOT NULL,
    data      TEXT    NOT NULL
);

CREATE TABLE officers (
    id         TEXT PRIMARY KEY,
    token_hash TEXT    NOT NULL UNIQUE,
    revoked    BOOLEAN NOT NULL DEFAULT FALSE,
    data       TEXT    NOT NULL
);

CREATE TABLE idempotency (
    actor        TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    request_hash TEXT    NOT NULL,
    status       BIGINT NOT NULL,
    etag         BIGINT,
    body         TEXT    NOT NULL,
    at           BIGINT NOT NULL,
    PRIMARY KEY (actor, key)
);

CREATE TABLE reference_counters (
    centre TEXT    NOT NULL,
    year   BIGINT NOT NULL,
    n      BIGINT NOT NULL,
    PRIMARY KEY (centre, year)
);
