-- Agencies with failed checks in their current reports, most failures first.
SELECT r.agency_id, any_value(r.county) AS county, any_value(r.city) AS city,
       count(*) FILTER (c.severity = 'error') AS errors,
       count(*) FILTER (c.severity = 'warning') AS warnings,
       string_agg(DISTINCT c.check_id, ' ' ORDER BY c.check_id) AS check_ids,
       string_agg(DISTINCT CAST(r.year AS VARCHAR), ' ' ORDER BY CAST(r.year AS VARCHAR)) AS years
FROM checks AS c
JOIN reports AS r USING (report_id)
WHERE c.status = 'fail' AND (r.is_current OR c.check_id = 'X5')
GROUP BY r.agency_id
ORDER BY errors + warnings DESC, r.agency_id
