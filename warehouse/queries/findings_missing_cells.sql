-- The template cells some reports did not print or that could not be read (the missing_cells warning).
SELECT w.report_id, w.message, coalesce(w.locator, '') AS codes
FROM parse_warnings AS w
WHERE w.report_id IN ($report_list) AND w.code = 'missing_cells'
ORDER BY w.report_id
