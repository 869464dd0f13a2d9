-- Agencies of the selected reports that could not be placed, with what is known.
SELECT agency, min(year) AS first_year, max(year) AS last_year, count(*) AS reports,
       any_value(place_status) AS place_status, any_value(province) AS province, any_value(city) AS city,
       any_value(source_file) AS example_file
FROM selected
WHERE place_code IS NULL OR place_status = 'unresolved'
GROUP BY agency
ORDER BY reports DESC, agency
