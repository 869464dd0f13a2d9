-- The failed checks of the summed reports: which unit fails which identity (check id and breakdown).
SELECT DISTINCT c.check_id, c.breakdown, c.report_id
FROM checks AS c
WHERE c.report_id IN ($report_list) AND c.status = 'fail'
ORDER BY c.check_id, c.breakdown, c.report_id
