-- Harmonised series per selected report: agency profiles and rankings across template changes (with
-- corrections applied: `report_series` is corrected by warehouse/review/overlay.py).
SELECT s.report_id, s.agency_id, s.agency, s.year, s.template, h.series_code, h.comparable_group,
       h.breakdown, h.value, h.corrected, h.original_value
FROM report_series AS h
JOIN selected AS s ON s.report_id = h.report_id
WHERE list_contains($series, h.series_code)
ORDER BY s.agency, s.year, h.series_code, h.breakdown, h.comparable_group, s.report_id
