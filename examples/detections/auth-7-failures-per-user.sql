-- rule: AUTH-7
-- view: auth7_failures_per_user
-- expected: AUTH-7 failures per user_id >=5 in TUMBLE 10m
-- What it detects: an account under attack (from any number of sources) — at least 5 failed logins for one
--   user_id in a 10-minute tumbling window (Unix-epoch aligned, UTC).
-- MITRE ATT&CK: T1110.001 Brute Force: Password Guessing (distributed).
-- Source data: auth_events (login_failure). Scenario A (root/admin targeted by many IPs); B must raise nothing.
-- Known false positives: a user who forgot a changed password on several devices; service accounts with an
--   expired secret. Generic names (root, admin) fire constantly on internet-facing hosts.
CREATE MATERIALIZED VIEW auth7_failures_per_user AS
SELECT user_id, window_start, window_end, COUNT(*) AS failures
FROM TUMBLE(auth_events, event_time, INTERVAL '10 minutes')
WHERE event_type = 'login_failure'
GROUP BY user_id, window_start, window_end
HAVING COUNT(*) >= 5;
