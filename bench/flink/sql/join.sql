-- Flink 1.20: a stream-stream (regular, unwindowed) inner join of auth_events and firewall_logs on the IP, keeping
-- only deny/drop blocks, written to a Kafka topic; the peer of sluice's `CREATE SINK … AS SELECT … JOIN` in
-- bench/lib/compare-workloads.ts. Bounded run. Same semantics in both engines: both sides' rows are kept in
-- state forever (no TTL), output is insert-only. Flink pushes the action filter below the join (so it keeps only
-- deny/drop firewall rows in state); whether sluice does is the planner's business (see docs/benchmarks.md).
CREATE TABLE auth_events (
  event_id STRING, user_id STRING, source_ip STRING, event_type STRING, event_time TIMESTAMP_LTZ(3)
) WITH ('connector' = 'kafka', 'topic' = '${AUTH_TOPIC}', 'properties.bootstrap.servers' = '${BOOTSTRAP}',
        'properties.group.id' = '${GROUP}', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset',
        'format' = 'json', 'json.timestamp-format.standard' = 'ISO-8601');

CREATE TABLE firewall_logs (
  log_id STRING, src_ip STRING, dst_ip STRING, dst_port INT, action STRING, `bytes` BIGINT, log_time TIMESTAMP_LTZ(3)
) WITH ('connector' = 'kafka', 'topic' = '${FW_TOPIC}', 'properties.bootstrap.servers' = '${BOOTSTRAP}',
        'properties.group.id' = '${GROUP}', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset',
        'format' = 'json', 'json.timestamp-format.standard' = 'ISO-8601');

CREATE TABLE join_sink (user_id STRING, source_ip STRING, auth_time TIMESTAMP_LTZ(3), block_time TIMESTAMP_LTZ(3),
                        action STRING)
WITH ('connector' = 'kafka', 'topic' = '${SINK_TOPIC}', 'properties.bootstrap.servers' = '${BOOTSTRAP}',
      'format' = 'json', 'json.timestamp-format.standard' = 'ISO-8601');

INSERT INTO join_sink
SELECT a.user_id, a.source_ip, a.event_time AS auth_time, f.log_time AS block_time, f.action
FROM auth_events a JOIN firewall_logs f ON a.source_ip = f.src_ip
WHERE f.action IN ('deny', 'drop');
