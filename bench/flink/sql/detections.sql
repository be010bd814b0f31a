-- Flink 1.20: the cost-growth workload — N detection rules on the one auth_events source, all in one job (one
-- StatementSet; Flink reuses the single source scan and JSON decode for every rule, as sluice shares its source).
-- bench/lib/compare-workloads.ts fills the RULES placeholder below with N `INSERT INTO blackhole …` statements, cycling three shapes
-- that sluice runs as materialized views with the same WHERE/GROUP BY/HAVING:
--   k = 0  windowed brute force: per (source_ip, 5-minute window) failures, HAVING count > threshold
--          (Flink: window TVF, rows emitted once at window end; sluice: view updated every epoch)
--   k = 1  filter: mfa_bypass events from one internal /16 (append-only in both engines)
--   k = 2  unwindowed COUNT(DISTINCT source_ip) per user with HAVING (updating in both engines; Flink retracts
--          into the blackhole sink, sluice updates the view)
-- Flink's results go to 'blackhole' sinks (computed, then dropped); sluice's stay queryable in the views.
CREATE TABLE auth_events (
  event_id STRING, user_id STRING, source_ip STRING, event_type STRING,
  event_time TIMESTAMP_LTZ(3),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH ('connector' = 'kafka', 'topic' = '${AUTH_TOPIC}', 'properties.bootstrap.servers' = '${BOOTSTRAP}',
        'properties.group.id' = '${GROUP}', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset',
        'format' = 'json', 'json.timestamp-format.standard' = 'ISO-8601');

${RULES}
