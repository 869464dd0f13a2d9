-- dash_metric_by_year over the metric cube (warehouse/store/rollups.py): the same rows and numbers.
SELECT year, template, metric_code, breakdown,
       sum(value) AS value,
       CAST(sum(n_value) AS BIGINT) AS reports_with_value,
       CAST(sum(n_blank) AS BIGINT) AS reports_blank,
       CAST(sum(n_rows) AS BIGINT) AS reports
FROM cube
WHERE list_contains($codes, metric_code) AND list_contains($breakdowns, breakdown)
GROUP BY ALL
ORDER BY year, metric_code, breakdown, template
