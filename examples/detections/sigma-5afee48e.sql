-- rule: SIGMA-5afee48e
-- view: sigma_5afee48e
-- sigma: 5afee48e-67dd-4e03-a783-f74259dcf998
-- What it detects: Sigma rule "Potential LSASS Process Dump Via Procdump" (5afee48e-67dd-4e03-a783-f74259dcf998, level high) on process starts, hand-translated to SQL
--   (Sigma |contains is case-insensitive: lower(command_line) against lower-cased strings; strpos, not LIKE, so
--   '_' and '%' in the rule's strings are literal). One row per matching event.
-- Rule author (Detection Rule License 1.1 — every alert carries it, column rule_author): Florian Roth (Nextron Systems).
-- Rule: https://github.com/SigmaHQ/sigma rules/windows/process_creation/proc_creation_win_sysinternals_procdump_lsass.yml
--   licensed under the Detection Rule License 1.1, https://github.com/SigmaHQ/Detection-Rule-License
-- MITRE ATT&CK: T1003.001 OS Credential Dumping: LSASS Memory; T1036 Masquerading
-- Source data: process_events (Sysmon EID 1 of the OTRF datasets, scenarios B, C, G).
-- Translation gap: none: CommandLine only; |windash expanded to '-', '/', en dash, em dash and horizontal bar.
-- Known false positives (from the rule): Unlikely, because no one should dump an lsass process memory; another tool that uses command line flags similar to ProcDump.
CREATE MATERIALIZED VIEW sigma_5afee48e AS
SELECT '5afee48e-67dd-4e03-a783-f74259dcf998' AS rule_id, 'Potential LSASS Process Dump Via Procdump' AS title, 'high' AS level, 'Florian Roth (Nextron Systems)' AS rule_author,
       event_id, host_id, process_name, command_line, event_time
FROM process_events
WHERE (strpos(lower(command_line), ' -ma ') > 0 OR strpos(lower(command_line), ' /ma ') > 0 OR strpos(lower(command_line), ' –ma ') > 0 OR strpos(lower(command_line), ' —ma ') > 0 OR strpos(lower(command_line), ' ―ma ') > 0 OR strpos(lower(command_line), ' -mm ') > 0 OR strpos(lower(command_line), ' /mm ') > 0 OR strpos(lower(command_line), ' –mm ') > 0 OR strpos(lower(command_line), ' —mm ') > 0 OR strpos(lower(command_line), ' ―mm ') > 0 OR strpos(lower(command_line), ' -mp ') > 0 OR strpos(lower(command_line), ' /mp ') > 0 OR strpos(lower(command_line), ' –mp ') > 0 OR strpos(lower(command_line), ' —mp ') > 0 OR strpos(lower(command_line), ' ―mp ') > 0)
  AND (strpos(lower(command_line), ' ls') > 0 OR strpos(lower(command_line), ' keyiso') > 0 OR strpos(lower(command_line), ' samss') > 0);
