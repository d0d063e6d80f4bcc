-- Tokens apart from officers: an officer may hold several (rotation), each
-- expires. `data` is the token's record (never the token or its hash).
CREATE TABLE tokens (
    id            TEXT PRIMARY KEY,
    hash          TEXT    NOT NULL UNIQUE,
    officer_id    TEXT    NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    revoked       INTEGER NOT NULL DEFAULT 0,
    data          TEXT    NOT NULL
);
CREATE INDEX tokens_officer ON tokens (officer_id);

-- Tokens issued before expiry existed get a shift and a half from now; the
-- officer's id names its first token.
INSERT INTO tokens (id, hash, officer_id, expires_at_ms, revoked, data)
SELECT id, token_hash, id,
       CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) + 43200000,
       revoked,
       json_object(
           'id', id,
           'officer_id', id,
           'issued_at', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),
           'expires_at', strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '+12 hours'),
           'revoked', json(CASE WHEN revoked THEN 'true' ELSE 'false' END))
FROM officers;

CREATE TABLE officers_v2 (
    id      TEXT PRIMARY KEY,
    revoked INTEGER NOT NULL DEFAULT 0,
    data    TEXT    NOT NULL
);
INSERT INTO officers_v2 (id, revoked, data) SELECT id, revoked, data FROM officers;
DROP TABLE officers;
ALTER TABLE officers_v2 RENAME TO officers;
