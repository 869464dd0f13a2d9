-- The template cells some reports did not print or that could not be read (the missing_cells warning).
SELECT w.report_id, w.message, coalesce(w.locator, '') AS codes
FROM parse_warnings AS w
JOIN (SELECT unnest($reports) AS report_id) AS chosen USING (report_id)
WHERE w.code = 'missing_cells'
ORDER BY w.report_id
