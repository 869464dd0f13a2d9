-- The per-report and cross-report checks of some reports (the message in Chinese where it was stored).
SELECT c.report_id, c.check_id, c.severity, c.status, c.breakdown, c.expected, c.actual,
       coalesce(nullif(c.message_zh, ''), c.message) AS message
FROM checks AS c
JOIN (SELECT unnest($reports) AS report_id) AS chosen USING (report_id)
ORDER BY c.report_id, c.check_id, c.breakdown
