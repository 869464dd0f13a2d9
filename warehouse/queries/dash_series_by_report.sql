-- Harmonised series per selected report: agency profiles and rankings across template changes.
SELECT s.report_id, s.agency_id, s.agency, s.year, s.template, m.series_code, m.comparable_group,
       m.breakdown, sum(f.value) AS value
FROM (SELECT report_id, metric_code, breakdown, value FROM facts WHERE list_contains($codes, metric_code)) AS f
JOIN selected AS s ON s.report_id = f.report_id
JOIN series_map AS m
  ON m.template = s.template AND m.metric_code = f.metric_code AND m.metric_breakdown = f.breakdown
WHERE list_contains($series, m.series_code)
GROUP BY ALL
ORDER BY s.agency, s.year, m.series_code
