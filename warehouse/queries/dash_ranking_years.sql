-- The years in which a selected report has a total row of the series (the ranking's year picker).
SELECT DISTINCT s.year
FROM report_series AS h
JOIN selected AS s ON s.report_id = h.report_id
WHERE h.series_code = $series AND h.breakdown IN ('', 'total') AND s.year IS NOT NULL
ORDER BY s.year DESC
