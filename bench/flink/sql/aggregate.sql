-- Flink 1.20: one tumbling 5-minute aggregate with COUNT, COUNT FILTER and COUNT DISTINCT per user over
-- auth_events, the peer of sluice's materialized view in bench/lib/compare-workloads.ts. Bounded run.
-- Differences: Flink's window TVF emits each (user, window) row once when the watermark passes the window's end
-- (and frees its state); sluice keeps the rows as a materialized view updated every epoch and never frees a window
-- (no watermark in sluice). Flink's rows go to the 'blackhole' connector (computed, then dropped); sluice's stay
-- queryable in the view.
CREATE TABLE auth_events (
  event_id STRING, user_id STRING, source_ip STRING, event_type STRING,
  event_time TIMESTAMP_LTZ(3),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH ('connector' = 'kafka', 'topic' = '${AUTH_TOPIC}', 'properties.bootstrap.servers' = '${BOOTSTRAP}',
        'properties.group.id' = '${GROUP}', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset',
        'format' = 'json', 'json.timestamp-format.standard' = 'ISO-8601');

CREATE TABLE agg_out (user_id STRING, window_start TIMESTAMP(3), window_end TIMESTAMP(3), events BIGINT,
                      failures BIGINT, ips BIGINT)
WITH ('connector' = 'blackhole');

INSERT INTO agg_out
SELECT user_id, window_start, window_end, COUNT(*) AS events,
       COUNT(*) FILTER (WHERE event_type = 'login_failure') AS failures, COUNT(DISTINCT source_ip) AS ips
FROM TABLE(TUMBLE(TABLE auth_events, DESCRIPTOR(event_time), INTERVAL '5' MINUTES))
GROUP BY user_id, window_start, window_end;
