/**
 * The embedded demo's SQL: the seed article's three sources, fed by the built-in SIEM traffic generator instead
 * of Kafka (same columns), and its five materialized views verbatim. No sink: the demo prints alerts itself.
 */
export const DEMO_SOURCES = `
CREATE SOURCE IF NOT EXISTS auth_events (
    event_id VARCHAR, user_id VARCHAR, source_ip VARCHAR, event_type VARCHAR, event_time TIMESTAMPTZ
) WITH (connector = 'datagen', stream = 'auth_events', rate = '50', seed = '1', backfill.minutes = '30') FORMAT PLAIN ENCODE JSON;
CREATE SOURCE IF NOT EXISTS firewall_logs (
    log_id VARCHAR, src_ip VARCHAR, dst_ip VARCHAR, dst_port INT, action VARCHAR, bytes BIGINT, log_time TIMESTAMPTZ
) WITH (connector = 'datagen', stream = 'firewall_logs', rate = '50', seed = '2', backfill.minutes = '30') FORMAT PLAIN ENCODE JSON;
CREATE SOURCE IF NOT EXISTS process_events (
    event_id VARCHAR, host_id VARCHAR, parent_pid INT, child_pid INT, process_name VARCHAR, command_line VARCHAR, event_time TIMESTAMPTZ
) WITH (connector = 'datagen', stream = 'process_events', rate = '25', seed = '3', backfill.minutes = '30') FORMAT PLAIN ENCODE JSON;
`;

export const DEMO_VIEWS = `
CREATE MATERIALIZED VIEW IF NOT EXISTS brute_force_detections AS
SELECT source_ip, window_start, window_end,
    COUNT(*) FILTER (WHERE event_type = 'login_failure') AS failures,
    COUNT(DISTINCT user_id) AS targeted_accounts
FROM TUMBLE(auth_events, event_time, INTERVAL '5 minutes')
GROUP BY source_ip, window_start, window_end
HAVING COUNT(*) FILTER (WHERE event_type = 'login_failure') > 20;

CREATE MATERIALIZED VIEW IF NOT EXISTS suspicious_process_chains AS
SELECT e.host_id, e.parent_pid, e.child_pid, e.process_name, e.command_line, e.event_time
FROM process_events e
WHERE e.process_name IN ('cmd.exe', 'powershell.exe', 'bash', 'sh')
  AND (e.command_line LIKE '%net user%' OR e.command_line LIKE '%whoami%' OR e.command_line LIKE '%net localgroup%'
       OR e.command_line LIKE '%mimikatz%' OR e.command_line LIKE '%procdump%');

CREATE MATERIALIZED VIEW IF NOT EXISTS recently_blocked_ips AS
SELECT DISTINCT src_ip, MAX(log_time) AS last_blocked
FROM firewall_logs
WHERE action IN ('deny', 'drop')
GROUP BY src_ip
HAVING MAX(log_time) > NOW() - INTERVAL '1 hour';

CREATE MATERIALIZED VIEW IF NOT EXISTS auth_from_blocked_ip AS
SELECT a.user_id, a.source_ip, a.event_time AS auth_time, b.last_blocked AS block_time, a.event_type
FROM auth_events a
JOIN recently_blocked_ips b ON a.source_ip = b.src_ip
WHERE a.event_type = 'login_success';

CREATE MATERIALIZED VIEW IF NOT EXISTS siem_alerts AS
SELECT 'brute_force' AS alert_type, source_ip AS entity, window_end AS detected_at,
       failures || ' failures in 5 min from ' || source_ip AS description
FROM brute_force_detections
UNION ALL
SELECT 'suspicious_process' AS alert_type, host_id AS entity, event_time AS detected_at,
       'Suspicious command: ' || command_line AS description
FROM suspicious_process_chains
UNION ALL
SELECT 'auth_from_blocked_ip' AS alert_type, user_id AS entity, auth_time AS detected_at,
       'Login from previously blocked IP ' || source_ip AS description
FROM auth_from_blocked_ip;
`;
