-- Why a harmonised series has no value in a selected report: the cells behind it that are blank, not
-- applicable or not a number (a series the report's table does not have at all has no row here).
SELECT s.report_id, s.year, m.series_code, m.breakdown, f.semantic, f.value_raw
FROM selected AS s
JOIN (SELECT * FROM facts WHERE value IS NULL AND report_id IN (SELECT report_id FROM selected)) AS f
  ON f.report_id = s.report_id
JOIN series_map AS m
  ON m.template = s.template AND f.metric_code = m.metric_code AND f.breakdown = m.metric_breakdown
WHERE list_contains($series, m.series_code)
ORDER BY s.year, m.series_code, s.report_id, m.breakdown, f.semantic, f.value_raw
