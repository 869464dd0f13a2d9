-- The failed checks of the summed reports: which unit fails which identity (check id and breakdown).
SELECT DISTINCT c.check_id, c.breakdown, c.report_id
FROM checks AS c
JOIN (SELECT unnest($reports) AS report_id) AS chosen USING (report_id)
WHERE c.status = 'fail'
ORDER BY c.check_id, c.breakdown, c.report_id
