-- rule: FW-2
-- view: fw2_distinct_hosts_per_source
-- expected: FW-2 distinct dst_ip (deny/drop) per src_ip >= 20 in TUMBLE 1m
-- What it detects: horizontal scan / host sweep — at least 20 distinct destination hosts refused or dropped for
--   one source IP in a 1-minute tumbling window (Unix-epoch aligned, UTC).
-- MITRE ATT&CK: T1046 Network Service Discovery; T1018 Remote System Discovery.
-- Source data: firewall_logs (action deny/drop). Scenario C must raise 0.
-- Known false positives: network inventory / discovery tools, broadcast-heavy protocols (NetBIOS, SSDP) that a
--   sensor records as unanswered, backup servers contacting offline clients.
CREATE MATERIALIZED VIEW fw2_distinct_hosts_per_source AS
SELECT src_ip, window_start, window_end, COUNT(DISTINCT dst_ip) AS distinct_hosts
FROM TUMBLE(firewall_logs, log_time, INTERVAL '1 minute')
WHERE action IN ('deny', 'drop')
GROUP BY src_ip, window_start, window_end
HAVING COUNT(DISTINCT dst_ip) >= 20;
