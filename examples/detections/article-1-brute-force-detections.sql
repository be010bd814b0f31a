-- rule: ART-1
-- view: brute_force_detections
-- The seed article's view, verbatim (its text equals article.sql's; the dataset test checks that).
-- What it detects (article): more than 20 failed logins from one source IP in a 5-minute tumbling window,
--   with the number of distinct accounts the IP touched (all event types count towards targeted_accounts).
-- MITRE ATT&CK: T1110 Brute Force.
-- Source data: auth_events. Scenario A: the heaviest SSH brute-force windows.
-- Known false positives: as AUTH-1 (NAT egress, scanners, retrying services); the threshold > 20 is stricter.
CREATE MATERIALIZED VIEW brute_force_detections AS
SELECT
    source_ip,
    window_start,
    window_end,
    COUNT(*) FILTER (WHERE event_type = 'login_failure') AS failures,
    COUNT(DISTINCT user_id)                               AS targeted_accounts
FROM TUMBLE(auth_events, event_time, INTERVAL '5 minutes')
GROUP BY source_ip, window_start, window_end
HAVING COUNT(*) FILTER (WHERE event_type = 'login_failure') > 20;
