-- rule: ART-2
-- view: suspicious_process_chains
-- The seed article's view, verbatim (its text equals article.sql's; the dataset test checks that).
-- What it detects (article): shells (cmd.exe, powershell.exe, bash, sh) whose command line mentions account or
--   credential tooling (net user, whoami, net localgroup, mimikatz, procdump).
-- MITRE ATT&CK: T1087.001 Local Account Discovery; T1033 System Owner/User Discovery; T1003.001 LSASS Memory.
-- Source data: process_events. Case-sensitive LIKE on the shell's own command line: a child process such as
--   whoami.exe started by cmd.exe is not matched (its process_name is whoami.exe) — a known coverage gap that the
--   Sigma rules of the datasets cover.
-- Known false positives: admin scripts and inventory tools running whoami / net user.
CREATE MATERIALIZED VIEW suspicious_process_chains AS
SELECT
    e.host_id,
    e.parent_pid,
    e.child_pid,
    e.process_name,
    e.command_line,
    e.event_time
FROM process_events e
WHERE
    e.process_name IN ('cmd.exe', 'powershell.exe', 'bash', 'sh')
    AND (
        e.command_line LIKE '%net user%'
        OR e.command_line LIKE '%whoami%'
        OR e.command_line LIKE '%net localgroup%'
        OR e.command_line LIKE '%mimikatz%'
        OR e.command_line LIKE '%procdump%'
    );
