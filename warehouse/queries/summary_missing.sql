-- Units under a place that published no report for the year (coverage view). `within_span` is false when
-- the year lies outside the unit's first..last report, so the unit may not have existed then. A unit's
-- place and kind are those of its latest current report, as in the `agencies` view, read here only for
-- the units with a current report under the place (the view would rank every unit's reports).
WITH placed AS (
    SELECT DISTINCT agency_id FROM reports
    WHERE is_current AND agency_id IS NOT NULL AND $place IN (province_code, city_code, county_code)
), latest AS (
    SELECT r.* FROM reports AS r
    WHERE r.is_current AND r.agency_id IN (SELECT agency_id FROM placed)
    QUALIFY row_number() OVER (PARTITION BY r.agency_id ORDER BY r.year DESC NULLS LAST, r.report_id) = 1
)
SELECT c.agency_id, c.agency_name, coalesce(a.agency_kind, '') AS agency_kind,
       coalesce(a.is_vertical, FALSE) AS is_vertical, c.within_span,
       coalesce(a.county, a.city, a.province, '') AS place
FROM coverage AS c
JOIN latest AS a USING (agency_id)
WHERE c.year = $year
  AND c.status = 'missing'
  AND $place IN (a.province_code, a.city_code, a.county_code)
ORDER BY a.city_code NULLS FIRST, a.county_code NULLS FIRST, c.agency_name
