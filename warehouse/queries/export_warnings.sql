-- Problems found while reading loaded reports (unknown rows, missing cells, year conflicts...).
SELECT r.source_file, r.agency, r.year, r.template, w.code, w.message, w.locator, r.report_id
FROM parse_warnings AS w
JOIN reports AS r USING (report_id)
ORDER BY r.agency NULLS LAST, r.year NULLS LAST, r.source_file, r.report_id, w.code, w.locator, w.message
