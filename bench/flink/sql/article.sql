-- Flink 1.20 translation of the seed article's pipeline (/work/shared/seed/article.sql): three Kafka sources, the
-- five detections, the UNION ALL of alerts, and a Kafka sink. Run by bench/lib/flink-peer.ts (bounded: the job
-- ends when it has read every topic up to its end offset at start-up). Invariant: append-only end to end, so the
-- plain 'kafka' sink accepts it. ${NAME} placeholders are filled in by RunFlinkSql.
--
-- What differs from sluice (which runs the article's SQL verbatim):
-- * brute_force_detections: a window TVF. Flink emits each (source_ip, 5-minute window) row ONCE, when the
--   watermark (max event_time - 5 s) passes window_end, or at the end of the bounded input; sluice keeps the
--   window rows as a materialized view updated every epoch (a row appears as soon as failures > 20 and its counts
--   keep changing until the window is closed by no later rows). Same final rows.
-- * recently_blocked_ips + auth_from_blocked_ip: Flink has no retracting NOW() temporal filter (NOW() is evaluated
--   once per record and never again, and on an updating aggregate it is rejected as a non-deterministic update).
--   The article computes "logins (login_success) from an IP whose LATEST deny/drop is within one hour of wall-clock
--   now", one row per login, retracted when that block becomes older than an hour — and also for logins that came
--   BEFORE the block. Flink computes instead an event-time interval join: one row per (login_success, deny/drop)
--   pair with the same IP where the block's log_time lies in [login time - 1 hour, login time]. So: logins before
--   the block are not reported, each login yields one row per earlier block within the hour (the generator's
--   blocked_ip_login attack has 5 denies before 2 logins: 10 Flink rows against 2 sluice rows), and rows never
--   expire. block_time is that block's log_time, not MAX(log_time).
-- * siem_alerts: the same UNION ALL; `failures || '…'` becomes CONCAT(CAST(failures AS STRING), '…'), and
--   detected_at is cast to one type in all branches.
-- * Sink: the Kafka connector's default at-least-once delivery, no checkpointing (sluice writes one Kafka
--   transaction per epoch: exactly-once). JSON timestamps are written ISO-8601 with millisecond precision.

CREATE TABLE auth_events (
  event_id STRING, user_id STRING, source_ip STRING, event_type STRING,
  event_time TIMESTAMP_LTZ(3),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH ('connector' = 'kafka', 'topic' = '${AUTH_TOPIC}', 'properties.bootstrap.servers' = '${BOOTSTRAP}',
        'properties.group.id' = '${GROUP}', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset',
        'format' = 'json', 'json.timestamp-format.standard' = 'ISO-8601');

CREATE TABLE firewall_logs (
  log_id STRING, src_ip STRING, dst_ip STRING, dst_port INT, action STRING, `bytes` BIGINT,
  log_time TIMESTAMP_LTZ(3),
  WATERMARK FOR log_time AS log_time - INTERVAL '5' SECOND
) WITH ('connector' = 'kafka', 'topic' = '${FW_TOPIC}', 'properties.bootstrap.servers' = '${BOOTSTRAP}',
        'properties.group.id' = '${GROUP}', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset',
        'format' = 'json', 'json.timestamp-format.standard' = 'ISO-8601');

CREATE TABLE process_events (
  event_id STRING, host_id STRING, parent_pid INT, child_pid INT, process_name STRING, command_line STRING,
  event_time TIMESTAMP_LTZ(3),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH ('connector' = 'kafka', 'topic' = '${PROC_TOPIC}', 'properties.bootstrap.servers' = '${BOOTSTRAP}',
        'properties.group.id' = '${GROUP}', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset',
        'format' = 'json', 'json.timestamp-format.standard' = 'ISO-8601');

CREATE TEMPORARY VIEW brute_force_detections AS
SELECT source_ip, window_start, window_end,
       COUNT(*) FILTER (WHERE event_type = 'login_failure') AS failures,
       COUNT(DISTINCT user_id) AS targeted_accounts
FROM TABLE(TUMBLE(TABLE auth_events, DESCRIPTOR(event_time), INTERVAL '5' MINUTES))
GROUP BY source_ip, window_start, window_end
HAVING COUNT(*) FILTER (WHERE event_type = 'login_failure') > 20;

CREATE TEMPORARY VIEW suspicious_process_chains AS
SELECT host_id, parent_pid, child_pid, process_name, command_line, event_time
FROM process_events
WHERE process_name IN ('cmd.exe', 'powershell.exe', 'bash', 'sh')
  AND (command_line LIKE '%net user%' OR command_line LIKE '%whoami%' OR command_line LIKE '%net localgroup%'
       OR command_line LIKE '%mimikatz%' OR command_line LIKE '%procdump%');

CREATE TEMPORARY VIEW auth_from_blocked_ip AS
SELECT a.user_id, a.source_ip, a.event_time AS auth_time, f.log_time AS block_time, a.event_type
FROM auth_events a JOIN firewall_logs f
  ON a.source_ip = f.src_ip AND f.log_time BETWEEN a.event_time - INTERVAL '1' HOUR AND a.event_time
WHERE a.event_type = 'login_success' AND f.action IN ('deny', 'drop');

CREATE TEMPORARY VIEW siem_alerts AS
SELECT 'brute_force' AS alert_type, source_ip AS entity, CAST(window_end AS TIMESTAMP_LTZ(3)) AS detected_at,
       CONCAT(CAST(failures AS STRING), ' failures in 5 min from ', source_ip) AS description
FROM brute_force_detections
UNION ALL
SELECT 'suspicious_process', host_id, CAST(event_time AS TIMESTAMP_LTZ(3)), CONCAT('Suspicious command: ', command_line)
FROM suspicious_process_chains
UNION ALL
SELECT 'auth_from_blocked_ip', user_id, CAST(auth_time AS TIMESTAMP_LTZ(3)), CONCAT('Login from previously blocked IP ', source_ip)
FROM auth_from_blocked_ip;

CREATE TABLE siem_alerts_sink (alert_type STRING, entity STRING, detected_at TIMESTAMP_LTZ(3), description STRING)
WITH ('connector' = 'kafka', 'topic' = '${SINK_TOPIC}', 'properties.bootstrap.servers' = '${BOOTSTRAP}',
      'format' = 'json', 'json.timestamp-format.standard' = 'ISO-8601');

INSERT INTO siem_alerts_sink SELECT * FROM siem_alerts;
