-- Points campaigns: paid orders of some shapes (or all: shapes is empty) earn their points
-- times the multiplier between two times; where campaigns overlap, the highest counts.
CREATE TABLE campaigns (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    starts_at   BIGINT NOT NULL,
    ends_at     BIGINT NOT NULL,
    multiplier  BIGINT NOT NULL CHECK (multiplier BETWEEN 1 AND 10),
    shapes      TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX campaigns_by_time ON campaigns (starts_at, ends_at);
-- The sweep finds what expires by the age of each account's entries.
CREATE INDEX point_entries_by_time ON point_entries (created_at);
