-- The coordinator portal (routekaart/portal/): accounts, their sessions and invitations, the public
-- reports and suggestions, and the history of every change made in the portal. Times are Unix
-- seconds. The same tables, for the embedded set-up, are in routekaart/portal/sqlite.sql.
CREATE TABLE IF NOT EXISTS portal_users (
    id bigserial PRIMARY KEY,
    email text NOT NULL UNIQUE,
    role text NOT NULL,
    regions text NOT NULL DEFAULT '',
    password_hash text NOT NULL DEFAULT '',
    totp_secret text NOT NULL DEFAULT '',
    totp_last_step bigint NOT NULL DEFAULT 0,
    disabled integer NOT NULL DEFAULT 0,
    failed_logins integer NOT NULL DEFAULT 0,
    locked_until bigint NOT NULL DEFAULT 0,
    created_at bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS portal_invitations (
    token_hash text PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES portal_users (id),
    expires_at bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS portal_sessions (
    token_hash text PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES portal_users (id),
    created_at bigint NOT NULL,
    seen_at bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS portal_reports (
    id bigserial PRIMARY KEY,
    kind text NOT NULL,
    region text NOT NULL,
    entry_id text NOT NULL DEFAULT '',
    body text NOT NULL,
    fields text NOT NULL DEFAULT '{}',
    email text NOT NULL DEFAULT '',
    created_at bigint NOT NULL,
    status text NOT NULL DEFAULT 'open',
    handled_at bigint NOT NULL DEFAULT 0,
    handled_by text NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS portal_reports_queue ON portal_reports (region, status);
CREATE TABLE IF NOT EXISTS portal_changes (
    id bigserial PRIMARY KEY,
    at bigint NOT NULL,
    who text NOT NULL,
    region text NOT NULL,
    entry_id text NOT NULL,
    field text NOT NULL,
    old text NOT NULL,
    new text NOT NULL,
    reason text NOT NULL DEFAULT '',
    undoes bigint,
    undone_by bigint
);
CREATE INDEX IF NOT EXISTS portal_changes_entry ON portal_changes (entry_id, id);
CREATE INDEX IF NOT EXISTS portal_changes_region ON portal_changes (region, id);
CREATE TABLE IF NOT EXISTS portal_uploads (
    id text PRIMARY KEY,
    user_id bigint NOT NULL,
    region text NOT NULL,
    created_at bigint NOT NULL,
    rows text NOT NULL
);
