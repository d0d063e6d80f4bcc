-- Tokens apart from officers: an officer may hold several (rotation), each
-- expires. `data` is the token's record (never the token or its hash).
CREATE TABLE tokens (
    id            TEXT PRIMARY KEY,
    hash          TEXT    NOT NULL UNIQUE,
    officer_id    TEXT    NOT NULL,
    expires_at_ms BIGINT  NOT NULL,
    revoked       BOOLEAN NOT NULL DEFAULT FALSE,
    data          TEXT    NOT NULL
);
CREATE INDEX tokens_officer ON tokens (officer_id);

-- Tokens issued before expiry existed get a shift and a half from now; the
-- officer's id names its first token.
INSERT INTO tokens (id, hash, officer_id, expires_at_ms, revoked, data)
SELECT id, token_hash, id,
       (extract(epoch FROM now()) * 1000)::BIGINT + 43200000,
       revoked,
       json_build_object(
           'id', id,
           'officer_id', id,
           'issued_at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           'expires_at', to_char((now() + interval '12 hours') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           'revoked', revoked)::TEXT
FROM officers;

ALTER TABLE officers DROP COLUMN token_hash;
