SELECT check_id, severity, status, breakdown, expected, actual, message, message_zh, cells
FROM checks WHERE report_id = $report_id
ORDER BY CASE status WHEN 'fail' THEN 0 WHEN 'not_assessable' THEN 1 ELSE 2 END, check_id, breakdown
