-- Headline counts for the selected reports.
SELECT count(*) AS reports,
       count(DISTINCT agency_id) AS agencies,
       count(DISTINCT coalesce(county_code, city_code, province_code)) AS places,
       min(year) AS year_min,
       max(year) AS year_max,
       count(*) FILTER (WHERE checks_failed > 0) AS reports_with_failures,
       coalesce(sum(checks_failed), 0) AS failed_checks,
       count(*) FILTER (WHERE place_code IS NULL) AS unplaced_reports
FROM selected
