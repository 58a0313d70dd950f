//! The column lists of each table, shared by both backends (the tables have the same columns;
//! only their types differ). Macros, not constants, so that `concat!` can build each query as one
//! `&'static str`.

macro_rules! user_columns {
    () => {
        "id, username, display_name, role, password_hash, totp_secret, totp_enabled, \
         totp_last_step, failed_logins, locked_until, disabled, created_at, must_change_password"
    };
}
macro_rules! session_columns {
    () => {
        "id_hash, user_id, csrf_token, created_at, last_seen_at"
    };
}
/// A session's columns prefixed `s_` (table alias `s`), for a query that joins its user (`u`).
macro_rules! session_columns_joined {
    () => {
        "s.id_hash AS s_id_hash, s.user_id AS s_user_id, s.csrf_token AS s_csrf_token, \
         s.created_at AS s_created_at, s.last_seen_at AS s_last_seen_at"
    };
}
macro_rules! token_columns {
    () => {
        "id, user_id, name, token_hash, scopes, created_at, revoked_at"
    };
}
macro_rules! post_columns {
    () => {
        "id, author, kind, official_account, identifies_employer, scheduled_at, status, \
         legal_hold, revision, created_at, updated_at"
    };
}
macro_rules! version_columns {
    () => {
        "post_id, version, text, attachments, policy_version, scan_result, author, created_at"
    };
}
macro_rules! decision_columns {
    () => {
        "id, post_id, version, step, reviewer, verdict, note, reason, created_at"
    };
}
macro_rules! audit_columns {
    () => {
        "seq, at, actor_user_id, actor_name, action, subject, details, prev_hash, hash"
    };
}
