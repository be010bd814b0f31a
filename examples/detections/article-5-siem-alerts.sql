-- rule: ART-5
-- view: siem_alerts
-- The seed article's view, verbatim (its text equals article.sql's; the dataset test checks that).
-- What it detects (article): the union of the three article detections as one alert stream.
-- MITRE ATT&CK: see the three views it unions.
-- Source data: brute_force_detections, suspicious_process_chains, auth_from_blocked_ip (create them first).
-- Known false positives: those of the views it unions.
CREATE MATERIALIZED VIEW siem_alerts AS
SELECT
    'brute_force'                AS alert_type,
    source_ip                   AS entity,
    window_end                  AS detected_at,
    failures || ' failures in 5 min from ' || source_ip AS description
FROM brute_force_detections

UNION ALL

SELECT
    'suspicious_process'        AS alert_type,
    host_id                     AS entity,
    event_time                  AS detected_at,
    'Suspicious command: ' || command_line AS description
FROM suspicious_process_chains

UNION ALL

SELECT
    'auth_from_blocked_ip'      AS alert_type,
    user_id                     AS entity,
    auth_time                   AS detected_at,
    'Login from previously blocked IP ' || source_ip AS description
FROM auth_from_blocked_ip;
