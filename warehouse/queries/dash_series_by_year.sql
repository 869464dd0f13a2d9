-- Harmonised series per year over the selected reports, keeping comparable groups apart. Same mapping as
-- the `series` view (series_map), but facts are narrowed to $codes first, which is several times faster.
SELECT s.year, m.series_code, m.comparable_group, m.breakdown,
       sum(f.value) AS value,
       count(DISTINCT s.report_id) FILTER (WHERE f.value IS NOT NULL) AS reports_with_value,
       count(DISTINCT s.report_id) AS reports
FROM (SELECT report_id, metric_code, breakdown, value FROM facts WHERE list_contains($codes, metric_code)) AS f
JOIN selected AS s ON s.report_id = f.report_id
JOIN series_map AS m
  ON m.template = s.template AND m.metric_code = f.metric_code AND m.metric_breakdown = f.breakdown
WHERE list_contains($series, m.series_code)
GROUP BY ALL
ORDER BY s.year, m.series_code, m.comparable_group, m.breakdown
