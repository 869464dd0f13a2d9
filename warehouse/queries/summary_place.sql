-- The name and level of a place code, from the reports placed under it (the most specific level wins:
-- 310000 is both a province and a city). One scan of `reports` (every bucket's file: each scan costs
-- ~15 ms at 100k reports): each report placed under the code gives its three levels, and those whose
-- code is the place are kept.
SELECT level, name
FROM (
    SELECT DISTINCT level, name, depth
    FROM (
        SELECT unnest([
            {'level': 'county', 'name': county, 'depth': 3, 'code': county_code},
            {'level': 'city', 'name': city, 'depth': 2, 'code': city_code},
            {'level': 'province', 'name': province, 'depth': 1, 'code': province_code}
        ], max_depth := 2)
        FROM reports
        WHERE $place IN (province_code, city_code, county_code)
    )
    WHERE code = $place
)
WHERE name IS NOT NULL
ORDER BY depth DESC, name
LIMIT 1
