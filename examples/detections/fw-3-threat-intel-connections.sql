-- rule: FW-3
-- view: fw3_allowed_to_threat_intel
-- expected: FW-3 allowed connection to TI-listed IP (per connection)
-- needs: threat_intel_ips
-- What it detects: an allowed connection to an IP on the threat-intelligence list (one row per connection).
-- MITRE ATT&CK: T1071 Application Layer Protocol (command and control); T1105 Ingress Tool Transfer.
-- Source data: firewall_logs (action allow) joined with the table threat_intel_ips(ip, indicator_type), loaded
--   from siem-test-data lookups/threat_intel_ips.csv with INSERT statements (the test harness generates them).
--   Scenario C: the Metasploit handler 10.0.5.13 (6 connections).
-- Known false positives: stale indicators (IPs re-assigned to benign hosts), shared CDN / cloud addresses,
--   sinkholes. Without suppression every connection is a row (6 raw; 1 after the 1 h suppression not expressible).
CREATE TABLE threat_intel_ips (ip VARCHAR, indicator_type VARCHAR);

CREATE MATERIALIZED VIEW fw3_allowed_to_threat_intel AS
SELECT f.log_id, f.src_ip, f.dst_ip, f.dst_port, f.log_time, t.indicator_type
FROM firewall_logs f
JOIN threat_intel_ips t ON f.dst_ip = t.ip
WHERE f.action = 'allow';
