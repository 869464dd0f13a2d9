-- dash_checks_failed over the failed checks kept per province (warehouse/store/rollups.py); the same order,
-- its first key kept as `severity_rank` (dash_checks_failed's CASE), which the files are sorted by: DuckDB's
-- top-N filters the scan by it, and skips the row groups of warnings once errors fill the page.
SELECT agency, year, check_id, severity, breakdown, expected, actual, message, message_zh, template, source_file,
       report_id
FROM selected
ORDER BY severity_rank, agency, year, check_id, breakdown, report_id, message, expected, actual, message_zh
LIMIT $limit OFFSET $offset
