-- The current reports of one year of every unit placed under a place: the summary's candidates. Which of
-- them are summed (scope, vertically managed, kind, template) is decided in warehouse/documents/summary.py
-- so that the ones left out can be listed with the reason.
SELECT r.report_id, coalesce(r.agency_id, r.agency, r.file_name) AS agency_id,
       coalesce(r.agency, r.agency_id, r.file_name) AS agency, r.template, coalesce(r.scope, 'own') AS scope,
       coalesce(r.agency_kind, '') AS agency_kind, coalesce(r.agency_level, '') AS agency_level,
       coalesce(r.is_vertical, FALSE) AS is_vertical, r.source_file,
       coalesce(r.county, r.city, r.province, '') AS place
FROM reports AS r
WHERE r.is_current
  AND r.year = $year
  AND $place IN (r.province_code, r.city_code, r.county_code)
ORDER BY r.province_code NULLS FIRST, r.city_code NULLS FIRST, r.county_code NULLS FIRST,
         r.agency_level, r.agency, r.report_id
