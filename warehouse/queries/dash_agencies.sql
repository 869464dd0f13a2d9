-- Agencies of the selected reports, for pickers and rankings.
SELECT agency_id, arg_max(agency, year) AS agency, count(*) AS reports, min(year) AS first_year,
       max(year) AS last_year, any_value(county) AS county, any_value(city) AS city
FROM selected
WHERE agency_id IS NOT NULL
GROUP BY agency_id
ORDER BY agency
