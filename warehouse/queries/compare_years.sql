-- The years for which an agency has a current report.
SELECT DISTINCT r.year FROM reports AS r
WHERE r.agency_id = $agency_id AND r.is_current AND r.year IS NOT NULL
ORDER BY r.year
