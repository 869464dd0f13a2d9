-- The current report of an agency for each of some years (`checks_failed`: its failed checks, own and
-- cross-report, as the comparison's screen counts them without reading the checks).
SELECT r.report_id, r.year, r.template, coalesce(r.agency, r.agency_id) AS agency, r.source_file,
       coalesce(r.title, '') AS title, r.checks_failed
FROM reports AS r
WHERE r.agency_id = $agency_id AND r.is_current AND list_contains($years, r.year)
ORDER BY r.year
