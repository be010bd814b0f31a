-- rule: FW-4
-- view: fw4_bytes_per_pair
-- expected: FW-4 sum(bytes) per (src_ip,dst_ip) > 1,000,000 in TUMBLE 5m
-- What it detects: large transfer between two hosts — more than 1,000,000 bytes (both directions) per
--   (src_ip, dst_ip) in a 5-minute tumbling window (Unix-epoch aligned, UTC): exfiltration or tool download.
-- MITRE ATT&CK: T1041 Exfiltration Over C2 Channel; T1105 Ingress Tool Transfer.
-- Source data: firewall_logs (bytes = Zeek orig_ip_bytes + resp_ip_bytes). Scenario C: procdump download from the
--   Metasploit handler (1,625,303 bytes in 00:35–00:40).
-- Known false positives: backups, software updates, file shares, video calls — tune per network segment.
CREATE MATERIALIZED VIEW fw4_bytes_per_pair AS
SELECT src_ip, dst_ip, window_start, window_end, SUM(bytes) AS total_bytes
FROM TUMBLE(firewall_logs, log_time, INTERVAL '5 minutes')
GROUP BY src_ip, dst_ip, window_start, window_end
HAVING SUM(bytes) > 1000000;
