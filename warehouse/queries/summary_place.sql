-- The name and level of a place code, from the reports placed under it (the most specific level wins:
-- 310000 is both a province and a city).
SELECT level, name
FROM (
    SELECT DISTINCT 'county' AS level, county AS name, 3 AS depth FROM reports WHERE county_code = $place
    UNION ALL
    SELECT DISTINCT 'city', city, 2 FROM reports WHERE city_code = $place
    UNION ALL
    SELECT DISTINCT 'province', province, 1 FROM reports WHERE province_code = $place
)
WHERE name IS NOT NULL
ORDER BY depth DESC, name
LIMIT 1
