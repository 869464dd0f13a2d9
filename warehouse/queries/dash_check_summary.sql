-- Outcomes per check over the selected reports.
SELECT c.check_id, c.severity,
       count(*) FILTER (WHERE c.status = 'fail') AS failed,
       count(*) FILTER (WHERE c.status = 'pass') AS passed,
       count(*) FILTER (WHERE c.status = 'not_assessable') AS not_assessable,
       count(DISTINCT c.report_id) FILTER (WHERE c.status = 'fail') AS reports_failing
FROM checks AS c
JOIN selected AS s ON s.report_id = c.report_id
GROUP BY ALL
ORDER BY failed DESC, c.check_id
