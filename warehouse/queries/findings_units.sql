-- The current reports of one year of every unit placed under a place: whose review findings are written.
SELECT r.report_id, coalesce(r.agency, r.agency_id, r.file_name) AS agency, r.year, r.template,
       coalesce(r.title, '') AS title, r.source_file, r.published, coalesce(r.agency_kind, '') AS agency_kind,
       coalesce(r.is_vertical, FALSE) AS is_vertical
FROM reports AS r
WHERE r.is_current
  AND r.year = $year
  AND $place IN (r.province_code, r.city_code, r.county_code)
ORDER BY r.province_code NULLS FIRST, r.city_code NULLS FIRST, r.county_code NULLS FIRST,
         r.agency_level, r.agency, r.report_id
