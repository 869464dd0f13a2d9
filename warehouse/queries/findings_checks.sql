-- The failed checks of some reports, with their Chinese message where it was stored.
SELECT c.report_id, c.check_id, c.severity, c.breakdown,
       coalesce(nullif(c.message_zh, ''), c.message) AS detail, coalesce(c.cells, '') AS cells
FROM checks AS c
WHERE c.report_id IN ($report_list) AND c.status = 'fail'
ORDER BY c.report_id, c.check_id, c.breakdown
