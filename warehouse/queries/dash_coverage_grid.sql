-- Agency × year publication grid for the selected agencies within the year range. A year outside the
-- agency's first..last report in which a peer at its place published is "outside" (it may not have existed).
-- Unordered: dash_coverage_limited orders the agencies it keeps (sorting the whole grid by name before
-- choosing 120 agencies was a third of that query at 100k reports); `coverage` sorts the whole grid.
SELECT c.agency_id, c.agency_name, c.place_code, c.year,
       CASE WHEN c.status = 'missing' AND NOT c.within_span THEN 'outside' ELSE c.status END AS status,
       c.n_versions, c.current_report_id
FROM coverage AS c
WHERE c.agency_id IN (SELECT agency_id FROM selected)
  AND c.year BETWEEN $year_from AND $year_to
