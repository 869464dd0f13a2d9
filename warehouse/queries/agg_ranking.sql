-- dash_ranking over `agg_ranking` (one row per current report and series, warehouse/store/rollups.py),
-- the reviewers' corrections added per report as a delta: the same rows and numbers.
-- Composed as `WITH selected AS (the filtered agg_ranking rows of the series), <this file>`; $corrected is
-- FALSE when no series is corrected, and the delta then reads no report id (the optimiser drops it).
delta AS (
    SELECT c.report_id,
           sum(coalesce(c.value, 0) - coalesce(c.original_value, 0)) AS d_value,
           sum(CAST(c.value IS NOT NULL AS INTEGER) - CAST(c.original_value IS NOT NULL AS INTEGER)) AS d_with
    FROM review_corrected_series AS c
    WHERE $corrected AND c.series_code = $series AND c.breakdown IN ('', 'total')
      AND c.report_id IN (SELECT report_id FROM selected WHERE year = $year)
    GROUP BY c.report_id
)
SELECT agency, report_id, value, count(*) OVER () AS ranked, median(value) OVER () AS median
FROM (
    SELECT k.report_id, k.agency,
           CAST(CASE WHEN d.report_id IS NULL THEN k.value
                     WHEN k.n_value + d.d_with > 0 THEN coalesce(k.value, 0) + d.d_value END
                AS DECIMAL(38, 6)) AS value
    FROM selected AS k
    LEFT JOIN delta AS d ON d.report_id = k.report_id
    WHERE k.year = $year
)
WHERE value IS NOT NULL
ORDER BY value DESC, agency, report_id
LIMIT $limit
