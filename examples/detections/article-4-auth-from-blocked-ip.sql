-- rule: ART-4
-- view: auth_from_blocked_ip
-- The seed article's view, verbatim (its text equals article.sql's; the dataset test checks that).
-- What it detects (article): a successful login from a source IP that was blocked in the last hour.
-- MITRE ATT&CK: T1078 Valid Accounts.
-- Source data: auth_events joined with recently_blocked_ips (create that view first).
-- Known false positives: users behind a NAT shared with a scanner; VPN concentrators.
CREATE MATERIALIZED VIEW auth_from_blocked_ip AS
SELECT
    a.user_id,
    a.source_ip,
    a.event_time   AS auth_time,
    b.last_blocked AS block_time,
    a.event_type
FROM auth_events a
JOIN recently_blocked_ips b ON a.source_ip = b.src_ip
WHERE a.event_type = 'login_success';
