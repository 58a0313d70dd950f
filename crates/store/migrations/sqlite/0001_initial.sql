-- Postguard's schema on SQLite. Times are INTEGER microseconds since 1970-01-01T00:00:00Z (UTC),
-- so they compare and sort as numbers (read one with datetime(col / 1000000, 'unixepoch')).
-- Booleans are INTEGER 0/1. JSON values are TEXT.

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    username        TEXT    NOT NULL,
    -- The username lower-cased by the store (Unicode-aware): unique, so names differing only in
    -- case are one name.
    username_key    TEXT    NOT NULL UNIQUE,
    display_name    TEXT    NOT NULL,
    role            TEXT    NOT NULL CHECK (role IN ('staff', 'reviewer', 'compliance', 'admin')),
    password_hash   TEXT    NOT NULL,
    totp_secret     BLOB,
    totp_enabled    INTEGER NOT NULL DEFAULT 0,
    totp_last_step  INTEGER,
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    locked_until    INTEGER,
    disabled        INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL
) STRICT;

CREATE TABLE recovery_codes (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  TEXT    NOT NULL,
    PRIMARY KEY (user_id, code_hash)
) STRICT;

CREATE TABLE sessions (
    id_hash       TEXT    PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token    TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    token_hash  TEXT    NOT NULL UNIQUE,
    scopes      TEXT    NOT NULL, -- JSON array of strings
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
) STRICT;
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE posts (
    id                   INTEGER PRIMARY KEY,
    author               INTEGER NOT NULL REFERENCES users (id),
    kind                 TEXT    NOT NULL CHECK (kind IN ('post', 'reply', 'comment')),
    official_account     TEXT,   -- NULL: the author's personal channel
    identifies_employer  INTEGER NOT NULL,
    scheduled_at         INTEGER,
    status               TEXT    NOT NULL CHECK (status IN ('cleared', 'pending_review',
                             'changes_requested', 'approved', 'rejected', 'expired')),
    legal_hold           INTEGER NOT NULL DEFAULT 0,
    revision             INTEGER NOT NULL,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
) STRICT;
CREATE INDEX posts_author ON posts (author, created_at);
CREATE INDEX posts_status ON posts (status, updated_at);
CREATE INDEX posts_scheduled ON posts (scheduled_at) WHERE scheduled_at IS NOT NULL;

CREATE TABLE post_versions (
    post_id         INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    version         INTEGER NOT NULL,
    text            TEXT    NOT NULL,
    attachments     TEXT    NOT NULL, -- JSON array of {alt_text, shows_person}
    policy_version  TEXT    NOT NULL,
    scan_result     TEXT    NOT NULL, -- JSON
    author          INTEGER NOT NULL REFERENCES users (id),
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (post_id, version)
) STRICT;

CREATE TABLE decisions (
    id          INTEGER PRIMARY KEY,
    post_id     INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    step        TEXT    NOT NULL,
    reviewer    INTEGER NOT NULL REFERENCES users (id),
    verdict     TEXT    NOT NULL CHECK (verdict IN ('approve', 'reject', 'request_changes')),
    note        TEXT,
    created_at  INTEGER NOT NULL,
    FOREIGN KEY (post_id, version) REFERENCES post_versions (post_id, version) ON DELETE CASCADE
) STRICT;
CREATE INDEX decisions_post ON decisions (post_id, id);

-- The tamper-evident audit log (hash chain: see src/audit.rs). No foreign keys: entries outlive
-- the users and posts they name.
CREATE TABLE audit_log (
    seq            INTEGER PRIMARY KEY,
    at             INTEGER NOT NULL,
    actor_user_id  INTEGER,
    actor_name     TEXT,
    action         TEXT    NOT NULL,
    subject        TEXT,
    details        TEXT    NOT NULL, -- canonical JSON, exactly as hashed
    prev_hash      TEXT    NOT NULL,
    hash           TEXT    NOT NULL
) STRICT;

-- Append-only for the application. Someone with write access to the file can drop these
-- triggers; the hash chain is what detects that kind of change.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
