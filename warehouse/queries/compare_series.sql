-- Harmonised series values of some reports (docs/series.md), with the group that says what compares.
SELECT s.report_id, s.series_code, s.breakdown, s.comparable_group, s.value
FROM series AS s
WHERE s.report_id IN ($report_list)
ORDER BY s.report_id, s.series_code, s.breakdown
