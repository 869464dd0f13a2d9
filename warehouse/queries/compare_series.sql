-- Harmonised series values of some reports (docs/series.md), with the group that says what compares.
SELECT s.report_id, s.series_code, s.breakdown, s.comparable_group, s.value
FROM series AS s
WHERE list_contains($reports, s.report_id)
ORDER BY s.report_id, s.series_code, s.breakdown
