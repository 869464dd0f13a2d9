-- Current reports of a place (province, city or county code) and year, for the review findings.
SELECT report_id, agency, agency_id, year, source_file
FROM reports
WHERE is_current AND year = $year
  AND (place_code = $place OR county_code = $place OR city_code = $place OR province_code = $place)
ORDER BY agency, report_id
