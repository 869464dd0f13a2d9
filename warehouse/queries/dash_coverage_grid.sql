-- dash_coverage's rows without its order, for dash_coverage_limited (which orders the agencies it keeps):
-- sorting the whole grid by name before choosing 120 agencies was a third of that query at 100k reports.
SELECT c.agency_id, c.agency_name, c.place_code, c.year,
       CASE WHEN c.status = 'missing' AND NOT c.within_span THEN 'outside' ELSE c.status END AS status,
       c.n_versions, c.current_report_id
FROM coverage AS c
WHERE c.agency_id IN (SELECT agency_id FROM selected)
  AND c.year BETWEEN $year_from AND $year_to
