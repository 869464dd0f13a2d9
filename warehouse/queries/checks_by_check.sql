-- Check results of current reports per check id: how many pass, fail or cannot be assessed.
SELECT c.check_id, any_value(c.severity) AS severity,
       count(*) FILTER (c.status = 'fail') AS failed,
       count(*) FILTER (c.status = 'pass') AS passed,
       count(*) FILTER (c.status = 'not_assessable') AS not_assessable,
       count(DISTINCT c.report_id) FILTER (c.status = 'fail') AS reports_failing
FROM checks AS c
JOIN reports AS r USING (report_id)
WHERE r.is_current OR c.check_id = 'X5'
GROUP BY c.check_id
ORDER BY c.check_id[1], CAST(c.check_id[2:] AS INTEGER)
