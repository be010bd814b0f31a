-- rule: SIGMA-502b42de
-- view: sigma_502b42de
-- sigma: 502b42de-4306-40b4-9596-6f590c81f073
-- What it detects: Sigma rule "Local Accounts Discovery" (502b42de-4306-40b4-9596-6f590c81f073, level low) on process starts, hand-translated to SQL
--   (Sigma |contains is case-insensitive: lower(command_line) against lower-cased strings; strpos, not LIKE, so
--   '_' and '%' in the rule's strings are literal). One row per matching event.
-- Rule author (Detection Rule License 1.1 — every alert carries it, column rule_author): Timur Zinniatullin, Daniil Yugoslavskiy, oscd.community.
-- Rule: https://github.com/SigmaHQ/sigma rules/windows/process_creation/proc_creation_win_susp_local_system_owner_account_discovery.yml
--   licensed under the Detection Rule License 1.1, https://github.com/SigmaHQ/Detection-Rule-License
-- MITRE ATT&CK: T1033 System Owner/User Discovery; T1087.001 Account Discovery: Local Account
-- Source data: process_events (Sysmon EID 1 of the OTRF datasets, scenarios B, C, G).
-- Translation gap: Image|endswith becomes process_name = <file name>; the OriginalFileName alternatives are not in the article's schema (renamed binaries are missed).
-- Known false positives (from the rule): Legitimate administrator or user enumerates local users for legitimate reason.
CREATE MATERIALIZED VIEW sigma_502b42de AS
SELECT '502b42de-4306-40b4-9596-6f590c81f073' AS rule_id, 'Local Accounts Discovery' AS title, 'low' AS level, 'Timur Zinniatullin, Daniil Yugoslavskiy, oscd.community' AS rule_author,
       event_id, host_id, process_name, command_line, event_time
FROM process_events
WHERE (lower(process_name) IN ('cmd.exe') AND (strpos(lower(command_line), ' /c') > 0 AND strpos(lower(command_line), 'dir ') > 0 AND strpos(lower(command_line), '\users\') > 0) AND NOT strpos(lower(command_line), ' rmdir ') > 0)
  OR (lower(process_name) IN ('net.exe', 'net1.exe') AND strpos(lower(command_line), 'user') > 0
    AND NOT (strpos(lower(command_line), '/domain') > 0 OR strpos(lower(command_line), '/add') > 0 OR strpos(lower(command_line), '/delete') > 0 OR strpos(lower(command_line), '/active') > 0 OR strpos(lower(command_line), '/expires') > 0 OR strpos(lower(command_line), '/passwordreq') > 0 OR strpos(lower(command_line), '/scriptpath') > 0 OR strpos(lower(command_line), '/times') > 0 OR strpos(lower(command_line), '/workstations') > 0))
  OR lower(process_name) IN ('whoami.exe', 'quser.exe', 'qwinsta.exe')
  OR (lower(process_name) IN ('wmic.exe') AND (strpos(lower(command_line), 'useraccount') > 0 AND strpos(lower(command_line), 'get') > 0))
  OR (lower(process_name) IN ('cmdkey.exe') AND strpos(lower(command_line), ' /l') > 0);
