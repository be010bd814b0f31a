-- rule: SIGMA-646ea171
-- view: sigma_646ea171
-- sigma: 646ea171-dded-4578-8a4d-65e9822892e3
-- What it detects: Sigma rule "Process Memory Dump Via Comsvcs.DLL" (646ea171-dded-4578-8a4d-65e9822892e3, level high) on process starts, hand-translated to SQL
--   (Sigma |contains is case-insensitive: lower(command_line) against lower-cased strings; strpos, not LIKE, so
--   '_' and '%' in the rule's strings are literal). One row per matching event.
-- Rule author (Detection Rule License 1.1 — every alert carries it, column rule_author): Florian Roth (Nextron Systems), Modexp, Nasreddine Bencherchali (Nextron Systems), Swachchhanda Shrawan Poudel (Nextron Systems).
-- Rule: https://github.com/SigmaHQ/sigma rules/windows/process_creation/proc_creation_win_rundll32_process_dump_via_comsvcs.yml
--   licensed under the Detection Rule License 1.1, https://github.com/SigmaHQ/Detection-Rule-License
-- MITRE ATT&CK: T1003.001 OS Credential Dumping: LSASS Memory; T1036 Masquerading
-- Source data: process_events (Sysmon EID 1 of the OTRF datasets, scenarios B, C, G).
-- Translation gap: Image|endswith '\rundll32.exe' becomes process_name = 'rundll32.exe'; the OriginalFileName alternative is not in the article's schema (the CommandLine 'rundll32' alternative is kept).
-- Known false positives (from the rule): Unlikely (the rule lists none).
CREATE MATERIALIZED VIEW sigma_646ea171 AS
SELECT '646ea171-dded-4578-8a4d-65e9822892e3' AS rule_id, 'Process Memory Dump Via Comsvcs.DLL' AS title, 'high' AS level, 'Florian Roth (Nextron Systems), Modexp, Nasreddine Bencherchali (Nextron Systems), Swachchhanda Shrawan Poudel (Nextron Systems)' AS rule_author,
       event_id, host_id, process_name, command_line, event_time
FROM process_events
WHERE ((lower(process_name) IN ('rundll32.exe') OR strpos(lower(command_line), 'rundll32') > 0)
    AND (strpos(lower(command_line), 'comsvcs') > 0 AND strpos(lower(command_line), 'full') > 0)
    AND (strpos(lower(command_line), '#-') > 0 OR strpos(lower(command_line), '#+') > 0 OR strpos(lower(command_line), '#24') > 0 OR strpos(lower(command_line), '24 ') > 0 OR strpos(lower(command_line), 'minidump') > 0 OR strpos(lower(command_line), '#65560') > 0))
  OR ((strpos(lower(command_line), '24') > 0 AND strpos(lower(command_line), 'comsvcs') > 0 AND strpos(lower(command_line), 'full') > 0)
    AND (strpos(lower(command_line), ' #') > 0 OR strpos(lower(command_line), ',#') > 0 OR strpos(lower(command_line), ', #') > 0 OR strpos(lower(command_line), '"#') > 0));
