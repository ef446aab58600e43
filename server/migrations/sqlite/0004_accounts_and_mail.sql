-- E-mail verification of local accounts (it does not block signing in).
ALTER TABLE users ADD COLUMN email_verified_at INTEGER;

-- One-time codes mailed to local accounts: e-mail verification and password reset.
-- Only a SHA-256 of the code is stored; a new code replaces the old one.
CREATE TABLE account_codes (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('verify', 'reset')),
    code_hash  BLOB NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, purpose)
);

-- Sessions signed in through Cognito keep its tokens here, on the server only: the refresh
-- token renews the access token, and sign-out revokes them at Cognito.
ALTER TABLE sessions ADD COLUMN access_token TEXT;
ALTER TABLE sessions ADD COLUMN access_expires_at INTEGER;
ALTER TABLE sessions ADD COLUMN refresh_token TEXT;

-- The mail outbox of the embedded default: every mail "sent", listed at /dev/mail.
CREATE TABLE mail_outbox (
    id         TEXT PRIMARY KEY NOT NULL,
    recipient  TEXT NOT NULL,
    subject    TEXT NOT NULL,
    text_body  TEXT NOT NULL,
    html_body  TEXT NOT NULL,
    -- The inline images, as JSON: [{"content_id": ..., "png_base64": ...}].
    images     TEXT NOT NULL,
    sent_at    INTEGER NOT NULL
);
CREATE INDEX mail_outbox_by_time ON mail_outbox (sent_at DESC);
