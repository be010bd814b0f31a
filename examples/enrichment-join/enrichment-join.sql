-- Enrichment join: security events joined with an asset inventory, so every alert carries its owner and
-- criticality. Both sides are maintained: changing the inventory re-enriches events that already arrived.
-- Run it with: psql -h 127.0.0.1 -p 4566 -d dev -U root -f examples/enrichment-join/enrichment-join.sql

-- Reference data, edited with INSERT/UPDATE/DELETE.
CREATE TABLE assets (
    host_id     VARCHAR PRIMARY KEY,
    owner       VARCHAR NOT NULL,
    team        VARCHAR,
    criticality INT NOT NULL   -- 1 (lab) .. 5 (crown jewels)
);

-- The events. In production this is a Kafka source with the same columns (see README.md).
CREATE TABLE process_events (
    event_id     VARCHAR PRIMARY KEY,
    host_id      VARCHAR,
    process_name VARCHAR,
    command_line VARCHAR,
    event_time   TIMESTAMPTZ
);

-- Every suspicious command with its asset context; events on unknown hosts are kept (LEFT JOIN) and flagged.
CREATE MATERIALIZED VIEW enriched_suspicious AS
SELECT
    e.event_id,
    e.host_id,
    coalesce(a.owner, 'unknown')  AS owner,
    a.team,
    coalesce(a.criticality, 5)    AS criticality,   -- an unknown host is treated as critical
    a.host_id IS NULL             AS unknown_host,
    e.command_line,
    e.event_time
FROM process_events e
LEFT JOIN assets a ON a.host_id = e.host_id
WHERE e.command_line LIKE '%whoami%' OR e.command_line LIKE '%net user%' OR e.command_line LIKE '%mimikatz%';

-- Alerts per team, highest criticality first when read with ORDER BY.
CREATE MATERIALIZED VIEW alerts_per_team AS
SELECT coalesce(team, 'unassigned') AS team, count(*) AS alerts, max(criticality) AS max_criticality
FROM enriched_suspicious
GROUP BY coalesce(team, 'unassigned');

INSERT INTO assets VALUES
    ('ws-042', 'alice', 'finance', 3),
    ('db-001', 'bob',   'platform', 5),
    ('lab-17', 'carol', 'research', 1);

INSERT INTO process_events VALUES
    ('p-1', 'ws-042', 'cmd.exe',        'cmd.exe /c whoami /all',            '2026-01-01 10:00:00+00'),
    ('p-2', 'db-001', 'powershell.exe', 'powershell net user admin /domain', '2026-01-01 10:01:00+00'),
    ('p-3', 'lab-17', 'bash',           'ls -la',                            '2026-01-01 10:02:00+00'),
    ('p-4', 'ws-999', 'cmd.exe',        'mimikatz.exe sekurlsa::logonpasswords', '2026-01-01 10:03:00+00');
