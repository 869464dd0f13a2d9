-- The failed checks of the selected reports, worst first, $limit of them from row $offset (a page of the
-- quality page's table; the order is total up to identical rows).
SELECT s.agency, s.year, c.check_id, c.severity, c.breakdown, c.expected, c.actual, c.message, c.message_zh,
       s.template, s.source_file, s.report_id
FROM checks AS c
JOIN selected AS s ON s.report_id = c.report_id
WHERE c.status = 'fail'
ORDER BY CASE c.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, s.agency, s.year, c.check_id,
         c.breakdown, s.report_id, c.message, c.expected, c.actual, c.message_zh
LIMIT $limit OFFSET $offset
