-- Harmonised series per year over the selected reports, keeping comparable groups apart.
SELECT s.year, h.series_code, h.comparable_group, h.breakdown,
       sum(h.value) AS value, count(h.value) AS reports_with_value, count(*) AS reports
FROM report_series AS h
JOIN selected AS s ON s.report_id = h.report_id
WHERE list_contains($series, h.series_code)
GROUP BY ALL
ORDER BY s.year, h.series_code, h.comparable_group, h.breakdown
