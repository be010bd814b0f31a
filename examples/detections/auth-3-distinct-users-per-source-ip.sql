-- rule: AUTH-3
-- view: auth3_distinct_users_per_source_ip
-- expected: AUTH-3 distinct user_id of failures per source_ip >=5 in TUMBLE 5m
-- What it detects: password spraying / user enumeration — failed logins for at least 5 distinct accounts from one
--   source IP in a 5-minute tumbling window (Unix-epoch aligned, UTC).
-- MITRE ATT&CK: T1110.003 Brute Force: Password Spraying.
-- Source data: auth_events (login_failure). Scenarios A (SSH dictionary attacks on many user names) and
--   B (OTRF PurpleSharp AD password spray: 7 users from 172.18.39.5 within 12 ms).
-- Known false positives: shared jump hosts, terminal servers, and NAT gateways where many users mistype
--   passwords; an identity provider that reports its own IP as the source.
CREATE MATERIALIZED VIEW auth3_distinct_users_per_source_ip AS
SELECT source_ip, window_start, window_end, COUNT(DISTINCT user_id) AS distinct_users
FROM TUMBLE(auth_events, event_time, INTERVAL '5 minutes')
WHERE event_type = 'login_failure'
GROUP BY source_ip, window_start, window_end
HAVING COUNT(DISTINCT user_id) >= 5;
