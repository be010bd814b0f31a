-- Flink 1.20: the key-cardinality workload — one unwindowed aggregate per source_ip (COUNT(*), COUNT FILTER) over
-- auth-shaped events whose source_ip takes K distinct values, so state grows with K. Same semantics in sluice (a
-- materialized view, bench/lib/compare-workloads.ts): an updating result, one group per key, never freed. Flink
-- writes the update stream to a 'blackhole' sink; sluice keeps the groups queryable. Bounded run.
CREATE TABLE auth_events (
  event_id STRING, user_id STRING, source_ip STRING, event_type STRING, event_time TIMESTAMP_LTZ(3)
) WITH ('connector' = 'kafka', 'topic' = '${AUTH_TOPIC}', 'properties.bootstrap.servers' = '${BOOTSTRAP}',
        'properties.group.id' = '${GROUP}', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset',
        'format' = 'json', 'json.timestamp-format.standard' = 'ISO-8601');

CREATE TABLE per_ip_out (source_ip STRING, events BIGINT, failures BIGINT) WITH ('connector' = 'blackhole');

INSERT INTO per_ip_out
SELECT source_ip, COUNT(*) AS events, COUNT(*) FILTER (WHERE event_type = 'login_failure') AS failures
FROM auth_events GROUP BY source_ip;
