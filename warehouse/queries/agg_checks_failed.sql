-- dash_checks_failed over the failed checks kept per province (warehouse/store/rollups.py).
SELECT agency, year, check_id, severity, breakdown, expected, actual, message, message_zh, template, source_file,
       report_id
FROM selected
ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, agency, year, check_id,
         breakdown, report_id, message, expected, actual, message_zh
LIMIT $limit OFFSET $offset
