-- rule: ART-3
-- view: recently_blocked_ips
-- The seed article's view, verbatim (its text equals article.sql's; the dataset test checks that).
-- What it detects (article): source IPs with a deny/drop in the last hour of wall-clock time (NOW()).
-- MITRE ATT&CK: supporting view (context for T1078 Valid Accounts).
-- Source data: firewall_logs. With the datasets' original (historical) timestamps it is empty by design; with
--   rebased timestamps it holds the recently refused sources.
-- Known false positives: any refused connection qualifies (Zeek "deny" = the target reset the connection).
CREATE MATERIALIZED VIEW recently_blocked_ips AS
SELECT DISTINCT src_ip, MAX(log_time) AS last_blocked
FROM firewall_logs
WHERE action IN ('deny', 'drop')
GROUP BY src_ip
HAVING MAX(log_time) > NOW() - INTERVAL '1 hour';
