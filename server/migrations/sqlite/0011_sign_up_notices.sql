-- When a taken address was last told that someone tried to sign up with it (at most one
-- such mail a minute per account; the sign-up's answer is the same either way).
ALTER TABLE users ADD COLUMN sign_up_notice_at BIGINT;
