-- Units under a place that published no report for the year (coverage view). `within_span` is false when
-- the year lies outside the unit's first..last report, so the unit may not have existed then.
SELECT c.agency_id, c.agency_name, coalesce(a.agency_kind, '') AS agency_kind,
       coalesce(a.is_vertical, FALSE) AS is_vertical, c.within_span,
       coalesce(a.county, a.city, a.province, '') AS place
FROM coverage AS c
JOIN agencies AS a USING (agency_id)
WHERE c.year = $year
  AND c.status = 'missing'
  AND $place IN (a.province_code, a.city_code, a.county_code)
ORDER BY a.city_code NULLS FIRST, a.county_code NULLS FIRST, c.agency_name
