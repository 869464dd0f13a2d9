-- The per-report and cross-report checks of some reports (the message in Chinese where it was stored).
SELECT c.report_id, c.check_id, c.severity, c.status, c.breakdown, c.expected, c.actual,
       coalesce(nullif(c.message_zh, ''), c.message) AS message
FROM checks AS c
WHERE c.report_id IN ($report_list)
ORDER BY c.report_id, c.check_id, c.breakdown, message  -- message: several rows of one check and cell
