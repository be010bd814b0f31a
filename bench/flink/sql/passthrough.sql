-- Flink 1.20: pass-through with a projection and arithmetic (Nexmark q0/q1-like) from firewall_logs to a Kafka
-- topic, the peer of sluice's `CREATE SINK … AS SELECT` in bench/lib/compare-workloads.ts. Bounded run.
-- Same semantics as sluice: every row (bytes > 0 keeps ~all of them) is written once as JSON. Differences: Flink's
-- Kafka sink is at-least-once without checkpoints; sluice's writes one Kafka transaction per epoch.
CREATE TABLE firewall_logs (
  log_id STRING, src_ip STRING, dst_ip STRING, dst_port INT, action STRING, `bytes` BIGINT,
  log_time TIMESTAMP_LTZ(3)
) WITH ('connector' = 'kafka', 'topic' = '${FW_TOPIC}', 'properties.bootstrap.servers' = '${BOOTSTRAP}',
        'properties.group.id' = '${GROUP}', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset',
        'format' = 'json', 'json.timestamp-format.standard' = 'ISO-8601');

CREATE TABLE passthrough_sink (log_id STRING, src_ip STRING, dst_ip STRING, dst_port INT, action STRING, bits BIGINT,
                               log_time TIMESTAMP_LTZ(3))
WITH ('connector' = 'kafka', 'topic' = '${SINK_TOPIC}', 'properties.bootstrap.servers' = '${BOOTSTRAP}',
      'format' = 'json', 'json.timestamp-format.standard' = 'ISO-8601');

INSERT INTO passthrough_sink
SELECT log_id, src_ip, dst_ip, dst_port, action, `bytes` * 8 AS bits, log_time FROM firewall_logs WHERE `bytes` > 0;
