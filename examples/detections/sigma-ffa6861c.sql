-- rule: SIGMA-ffa6861c
-- view: sigma_ffa6861c
-- sigma: ffa6861c-4461-4f59-8a41-578c39f3f23e
-- What it detects: Sigma rule "LSASS Dump Keyword In CommandLine" (ffa6861c-4461-4f59-8a41-578c39f3f23e, level high) on process starts, hand-translated to SQL
--   (Sigma |contains is case-insensitive: lower(command_line) against lower-cased strings; strpos, not LIKE, so
--   '_' and '%' in the rule's strings are literal). One row per matching event.
-- Rule author (Detection Rule License 1.1 — every alert carries it, column rule_author): E.M. Anhaus, Tony Lambert, oscd.community, Nasreddine Bencherchali (Nextron Systems).
-- Rule: https://github.com/SigmaHQ/sigma rules/windows/process_creation/proc_creation_win_susp_lsass_dmp_cli_keywords.yml
--   licensed under the Detection Rule License 1.1, https://github.com/SigmaHQ/Detection-Rule-License
-- MITRE ATT&CK: T1003.001 OS Credential Dumping: LSASS Memory
-- Source data: process_events (Sysmon EID 1 of the OTRF datasets, scenarios B, C, G).
-- Translation gap: none: the rule reads CommandLine only, so the translation is exact.
-- Known false positives (from the rule): Backup or forensic tools that name dump files after lsass.
CREATE MATERIALIZED VIEW sigma_ffa6861c AS
SELECT 'ffa6861c-4461-4f59-8a41-578c39f3f23e' AS rule_id, 'LSASS Dump Keyword In CommandLine' AS title, 'high' AS level, 'E.M. Anhaus, Tony Lambert, oscd.community, Nasreddine Bencherchali (Nextron Systems)' AS rule_author,
       event_id, host_id, process_name, command_line, event_time
FROM process_events
WHERE (strpos(lower(command_line), 'lsass.dmp') > 0 OR strpos(lower(command_line), 'lsass.zip') > 0 OR strpos(lower(command_line), 'lsass.rar') > 0 OR strpos(lower(command_line), 'andrew.dmp') > 0 OR strpos(lower(command_line), 'coredump.dmp') > 0 OR strpos(lower(command_line), 'notlsass.zip') > 0 OR strpos(lower(command_line), 'lsass_2') > 0 OR strpos(lower(command_line), 'lsassdump') > 0 OR strpos(lower(command_line), 'lsassdmp') > 0) OR
      (strpos(lower(command_line), 'lsass') > 0 AND strpos(lower(command_line), '.dmp') > 0) OR
      (strpos(lower(command_line), 'sqldmpr') > 0 AND strpos(lower(command_line), '.mdmp') > 0) OR
      (strpos(lower(command_line), 'nanodump') > 0 AND strpos(lower(command_line), '.dmp') > 0);
