-- The current report of an agency for each of some years.
SELECT r.report_id, r.year, r.template, coalesce(r.agency, r.agency_id) AS agency, r.source_file,
       coalesce(r.title, '') AS title
FROM reports AS r
WHERE r.agency_id = $agency_id AND r.is_current AND list_contains($years, r.year)
ORDER BY r.year
