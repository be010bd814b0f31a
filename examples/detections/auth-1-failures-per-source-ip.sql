-- rule: AUTH-1
-- view: auth1_failures_per_source_ip
-- expected: AUTH-1 failures per source_ip >=10 in TUMBLE 5m
-- What it detects: password brute force — at least 10 failed logins from one source IP in a 5-minute tumbling
--   window (windows aligned to the Unix epoch, UTC). One row per (source_ip, window).
-- MITRE ATT&CK: T1110.001 Brute Force: Password Guessing.
-- Source data: auth_events (login_failure). Exercised by siem-test-data scenario A (loghub OpenSSH_2k, real
--   internet SSH brute force).
-- Known false positives: a misconfigured service or script retrying a stale password; NAT/VPN egress IPs that
--   aggregate many users; vulnerability scanners. No suppression: a long attack raises one row per window.
CREATE MATERIALIZED VIEW auth1_failures_per_source_ip AS
SELECT source_ip, window_start, window_end, COUNT(*) AS failures
FROM TUMBLE(auth_events, event_time, INTERVAL '5 minutes')
WHERE event_type = 'login_failure'
GROUP BY source_ip, window_start, window_end
HAVING COUNT(*) >= 10;
