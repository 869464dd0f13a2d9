-- One row per selected report and metric: for rankings, comparisons and agency profiles.
SELECT s.report_id, s.agency_id, s.agency, s.year, s.template, s.county, s.city,
       f.metric_code, f.breakdown, f.value, f.value_raw, f.semantic, f.confidence
FROM selected AS s
JOIN facts AS f ON f.report_id = s.report_id
WHERE list_contains($codes, f.metric_code) AND list_contains($breakdowns, f.breakdown)
ORDER BY s.agency, s.year, f.metric_code
