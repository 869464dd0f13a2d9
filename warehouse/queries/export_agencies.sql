-- One row per agency: canonical name, the names it published under, level, kind, place and years.
SELECT agency_id, agency_name, aliases, agency_level, agency_kind, is_vertical, province, city, county,
       province_code, city_code, county_code, place_code, place_status, first_year, last_year, n_reports
FROM agencies
ORDER BY province NULLS LAST, city NULLS LAST, county NULLS LAST, agency_id
