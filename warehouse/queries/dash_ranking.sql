-- The selected reports of one year ranked by a series' total (the sum of its total rows, with
-- corrections applied: `report_series` is corrected by warehouse/review/overlay.py): the first $limit,
-- with how many reports have a value (`ranked`) and the median of all of them.
SELECT agency, report_id, value, count(*) OVER () AS ranked, median(value) OVER () AS median
FROM (
    SELECT h.report_id, s.agency, s.year, CAST(sum(h.value) AS DECIMAL(38, 6)) AS value
    FROM report_series AS h
    JOIN selected AS s ON s.report_id = h.report_id
    WHERE h.series_code = $series AND h.breakdown IN ('', 'total')
    GROUP BY h.report_id, s.agency, s.year
)
WHERE year = $year AND value IS NOT NULL
ORDER BY value DESC, agency, report_id
LIMIT $limit
