-- rule: FW-1
-- view: fw1_distinct_ports_per_source
-- expected: FW-1 distinct dst_port (tcp deny/drop) per src_ip > 20 in TUMBLE 1m
-- What it detects: vertical port scan — more than 20 distinct destination ports refused or dropped for one source
--   IP in a 1-minute tumbling window (Unix-epoch aligned, UTC).
-- MITRE ATT&CK: T1046 Network Service Discovery.
-- Source data: firewall_logs (action deny/drop). Scenario C (Zeek conn.log of OTRF LSASS_campaign_02) must raise 0.
--   The article's firewall_logs schema has no protocol column, so unlike the reference definition ("tcp") this
--   view counts ports of every protocol: it can only fire more often, never less.
-- Known false positives: monitoring systems probing many services; misconfigured clients cycling ports; UDP
--   traffic (see the protocol note above).
CREATE MATERIALIZED VIEW fw1_distinct_ports_per_source AS
SELECT src_ip, window_start, window_end, COUNT(DISTINCT dst_port) AS distinct_ports
FROM TUMBLE(firewall_logs, log_time, INTERVAL '1 minute')
WHERE action IN ('deny', 'drop')
GROUP BY src_ip, window_start, window_end
HAVING COUNT(DISTINCT dst_port) > 20;
