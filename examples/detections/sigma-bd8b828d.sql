-- rule: SIGMA-bd8b828d
-- view: sigma_bd8b828d
-- sigma: bd8b828d-0dca-48e1-8a63-8a58ecf2644f
-- What it detects: Sigma rule "Group Membership Reconnaissance Via Whoami.EXE" (bd8b828d-0dca-48e1-8a63-8a58ecf2644f, level medium) on process starts, hand-translated to SQL
--   (Sigma |contains is case-insensitive: lower(command_line) against lower-cased strings; strpos, not LIKE, so
--   '_' and '%' in the rule's strings are literal). One row per matching event.
-- Rule author (Detection Rule License 1.1 — every alert carries it, column rule_author): Nasreddine Bencherchali (Nextron Systems).
-- Rule: https://github.com/SigmaHQ/sigma rules/windows/process_creation/proc_creation_win_whoami_groups_discovery.yml
--   licensed under the Detection Rule License 1.1, https://github.com/SigmaHQ/Detection-Rule-License
-- MITRE ATT&CK: T1033 System Owner/User Discovery
-- Source data: process_events (Sysmon EID 1 of the OTRF datasets, scenarios B, C, G).
-- Translation gap: Image|endswith '\whoami.exe' becomes process_name = 'whoami.exe' (the stream's process_name is the image's file name); OriginalFileName is not in the article's schema, so a renamed whoami.exe is missed.
-- Known false positives (from the rule): Administrative and inventory scripts.
CREATE MATERIALIZED VIEW sigma_bd8b828d AS
SELECT 'bd8b828d-0dca-48e1-8a63-8a58ecf2644f' AS rule_id, 'Group Membership Reconnaissance Via Whoami.EXE' AS title, 'medium' AS level, 'Nasreddine Bencherchali (Nextron Systems)' AS rule_author,
       event_id, host_id, process_name, command_line, event_time
FROM process_events
WHERE lower(process_name) IN ('whoami.exe')
  AND (strpos(lower(command_line), ' /groups') > 0 OR strpos(lower(command_line), ' -groups') > 0);
