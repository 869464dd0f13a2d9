-- Agencies of the selected reports that could not be placed, with what is known. $any: whether there is
-- one (dash_unplaced_any.sql); FALSE reads nothing (every report's file name and agency otherwise).
SELECT agency, min(year) AS first_year, max(year) AS last_year, count(*) AS reports,
       any_value(place_status) AS place_status, any_value(province) AS province, any_value(city) AS city,
       any_value(source_file) AS example_file
FROM selected
WHERE $any AND (place_code IS NULL OR place_status = 'unresolved')
GROUP BY agency
ORDER BY reports DESC, agency
