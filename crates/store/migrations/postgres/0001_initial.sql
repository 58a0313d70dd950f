-- Postguard's schema on PostgreSQL. Created in the first schema of the connection's search_path.

CREATE TABLE users (
    id              BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username        TEXT        NOT NULL,
    -- The username lower-cased by the store (Unicode-aware, the same as on SQLite): unique, so
    -- names differing only in case are one name.
    username_key    TEXT        NOT NULL UNIQUE,
    display_name    TEXT        NOT NULL,
    role            TEXT        NOT NULL CHECK (role IN ('staff', 'reviewer', 'compliance', 'admin')),
    password_hash   TEXT        NOT NULL,
    totp_secret     BYTEA,
    totp_enabled    BOOLEAN     NOT NULL DEFAULT FALSE,
    totp_last_step  BIGINT,
    failed_logins   BIGINT      NOT NULL DEFAULT 0,
    locked_until    TIMESTAMPTZ,
    disabled        BOOLEAN     NOT NULL DEFAULT FALSE,
    created_at      TIMESTAMPTZ NOT NULL
);

CREATE TABLE recovery_codes (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  TEXT   NOT NULL,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE sessions (
    id_hash       TEXT        PRIMARY KEY,
    user_id       BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token    TEXT        NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    last_seen_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id          BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        TEXT        NOT NULL,
    token_hash  TEXT        NOT NULL UNIQUE,
    scopes      TEXT[]      NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    revoked_at  TIMESTAMPTZ
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE posts (
    id                   BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    author               BIGINT      NOT NULL REFERENCES users (id),
    kind                 TEXT        NOT NULL CHECK (kind IN ('post', 'reply', 'comment')),
    official_account     TEXT,       -- NULL: the author's personal channel
    identifies_employer  BOOLEAN     NOT NULL,
    scheduled_at         TIMESTAMPTZ,
    status               TEXT        NOT NULL CHECK (status IN ('cleared', 'pending_review',
                                         'changes_requested', 'approved', 'rejected', 'expired')),
    legal_hold           BOOLEAN     NOT NULL DEFAULT FALSE,
    revision             BIGINT      NOT NULL,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX posts_author ON posts (author, created_at);
CREATE INDEX posts_status ON posts (status, updated_at);
CREATE INDEX posts_scheduled ON posts (scheduled_at) WHERE scheduled_at IS NOT NULL;

CREATE TABLE post_versions (
    post_id         BIGINT      NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    version         BIGINT      NOT NULL,
    text            TEXT        NOT NULL,
    attachments     TEXT        NOT NULL, -- JSON array of {alt_text, shows_person}
    policy_version  TEXT        NOT NULL,
    scan_result     TEXT        NOT NULL, -- JSON
    author          BIGINT      NOT NULL REFERENCES users (id),
    created_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (post_id, version)
);

CREATE TABLE decisions (
    id          BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id     BIGINT      NOT NULL,
    version     BIGINT      NOT NULL,
    step        TEXT        NOT NULL,
    reviewer    BIGINT      NOT NULL REFERENCES users (id),
    verdict     TEXT        NOT NULL CHECK (verdict IN ('approve', 'reject', 'request_changes')),
    note        TEXT,
    created_at  TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (post_id, version) REFERENCES post_versions (post_id, version) ON DELETE CASCADE
);
CREATE INDEX decisions_post ON decisions (post_id, id);

-- The tamper-evident audit log (hash chain: see src/audit.rs). No foreign keys: entries outlive
-- the users and posts they name. `details` is TEXT, not jsonb: jsonb would re-order keys and
-- re-spell numbers, and the hash covers the exact text.
CREATE TABLE audit_log (
    seq            BIGINT      PRIMARY KEY,
    at             TIMESTAMPTZ NOT NULL,
    actor_user_id  BIGINT,
    actor_name     TEXT,
    action         TEXT        NOT NULL,
    subject        TEXT,
    details        TEXT        NOT NULL,
    prev_hash      TEXT        NOT NULL,
    hash           TEXT        NOT NULL
);

-- Append-only for the application. A superuser or the table's owner can drop the trigger; the
-- hash chain is what detects that kind of change. (In production, also grant the application
-- role only INSERT and SELECT on audit_log.)
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
