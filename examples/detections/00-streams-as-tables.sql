-- The article's three streams as plain tables (same columns, no primary key), to try the library without Kafka:
-- run this file first, then the rule files in name order, then INSERT events. With Kafka, run article.sql's three
-- CREATE SOURCE statements instead of this file. (Not a rule: the dataset test skips files starting with 00-.)
CREATE TABLE auth_events (event_id VARCHAR, user_id VARCHAR, source_ip VARCHAR, event_type VARCHAR, event_time TIMESTAMPTZ);
CREATE TABLE firewall_logs (log_id VARCHAR, src_ip VARCHAR, dst_ip VARCHAR, dst_port INT, action VARCHAR, bytes BIGINT, log_time TIMESTAMPTZ);
CREATE TABLE process_events (event_id VARCHAR, host_id VARCHAR, parent_pid INT, child_pid INT, process_name VARCHAR, command_line VARCHAR, event_time TIMESTAMPTZ);
