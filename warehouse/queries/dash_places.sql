-- Every place that current reports are filed under, for the province → city → county pickers.
SELECT DISTINCT province_code, province, city_code, city, county_code, county
FROM reports
WHERE is_current AND province_code IS NOT NULL
ORDER BY province_code, city_code NULLS FIRST, county_code NULLS FIRST
