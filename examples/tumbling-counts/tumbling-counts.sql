-- Tumbling counts: failed logins per user in 5-minute windows, kept up to date as rows arrive.
-- Run it with: psql -h 127.0.0.1 -p 4566 -d dev -U root -f examples/tumbling-counts/tumbling-counts.sql
-- No Kafka needed: the events are rows of a table. See README.md for the queries and a Kafka variant.

CREATE TABLE login_attempts (
    attempt_id  BIGINT PRIMARY KEY,
    user_id     VARCHAR NOT NULL,
    success     BOOLEAN NOT NULL,
    attempt_at  TIMESTAMPTZ NOT NULL
);

-- One row per (user, window): attempts, failures, and the first and last attempt in the window.
-- Windows are aligned to the Unix epoch and half-open: [window_start, window_end).
CREATE MATERIALIZED VIEW failed_logins_5m AS
SELECT
    user_id,
    window_start,
    window_end,
    count(*)                               AS attempts,
    count(*) FILTER (WHERE NOT success)    AS failures,
    min(attempt_at)                        AS first_at,
    max(attempt_at)                        AS last_at
FROM TUMBLE(login_attempts, attempt_at, INTERVAL '5 minutes')
GROUP BY user_id, window_start, window_end;

-- Only the windows worth an alert.
CREATE MATERIALIZED VIEW failed_login_alerts AS
SELECT user_id, window_start, failures
FROM failed_logins_5m
WHERE failures >= 3;

INSERT INTO login_attempts VALUES
    (1, 'alice', false, '2026-01-01 10:00:05+00'),
    (2, 'alice', false, '2026-01-01 10:01:10+00'),
    (3, 'alice', true,  '2026-01-01 10:02:00+00'),
    (4, 'bob',   false, '2026-01-01 10:03:00+00'),
    (5, 'bob',   false, '2026-01-01 10:04:59.999999+00'),
    (6, 'bob',   false, '2026-01-01 10:05:00+00');
