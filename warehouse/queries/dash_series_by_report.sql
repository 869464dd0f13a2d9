-- Harmonised series per selected report: agency profiles across template changes.
SELECT h.report_id, s.agency_id, s.agency, h.year, h.template, h.series_code, h.comparable_group,
       h.breakdown, h.value
FROM series AS h
JOIN selected AS s ON s.report_id = h.report_id
WHERE list_contains($series, h.series_code)
ORDER BY s.agency, h.year, h.series_code
