-- Every check result of every report (per report: N, O, T; across reports: X), failures first.
SELECT r.source_file, r.agency, r.year, r.template, c.check_id, c.severity, c.status, c.breakdown,
       c.expected, c.actual, c.message, c.message_zh, c.cells, r.agency_id, r.province, r.city, r.county, r.place_code,
       r.report_id, r.is_current
FROM checks AS c
JOIN reports AS r USING (report_id)
ORDER BY CASE c.status WHEN 'fail' THEN 0 WHEN 'not_assessable' THEN 1 ELSE 2 END,
         r.agency NULLS LAST, r.year NULLS LAST, c.check_id, c.breakdown, r.source_file, r.report_id, c.message
