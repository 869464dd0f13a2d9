-- dash_series_by_year over the series cube (warehouse/store/rollups.py): the same rows and numbers.
SELECT year, series_code, comparable_group, breakdown,
       sum(value) AS value, CAST(sum(n_value) AS BIGINT) AS reports_with_value,
       CAST(sum(n_rows) AS BIGINT) AS reports
FROM cube
WHERE list_contains($series, series_code)
GROUP BY ALL
ORDER BY year, series_code, comparable_group, breakdown
