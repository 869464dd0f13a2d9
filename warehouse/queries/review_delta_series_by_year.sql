-- dash_series_by_year (as `base`) with the corrections applied as a delta over the corrected reports'
-- series (their series summed again from corrected facts, less the series as stored).
-- Composed as `WITH <corrected relations>, selected AS (…), base AS (<dash query>), <this file>`.
delta AS (
    SELECT s.year, c.series_code, c.comparable_group, c.breakdown,
           sum(coalesce(c.value, 0) - coalesce(c.original_value, 0)) AS d_value,
           sum(CAST(c.value IS NOT NULL AS INTEGER) - CAST(c.original_value IS NOT NULL AS INTEGER)) AS d_with,
           count(*) FILTER (WHERE c.value IS DISTINCT FROM c.original_value) AS corrected_values
    FROM review_corrected_series AS c
    JOIN selected AS s ON s.report_id = c.report_id
    WHERE list_contains($series, c.series_code) AND NOT ($hide_ocr AND c.ocr_unconfirmed)
    GROUP BY ALL
)
SELECT b.year, b.series_code, b.comparable_group, b.breakdown,
       CASE WHEN d.series_code IS NULL THEN b.value
            WHEN b.reports_with_value + d.d_with > 0 THEN coalesce(b.value, 0) + d.d_value END AS value,
       b.reports_with_value + coalesce(d.d_with, 0) AS reports_with_value,
       b.reports,
       coalesce(d.corrected_values, 0) AS corrected_values,
       b.value AS original_value
FROM base AS b
LEFT JOIN delta AS d
  ON d.year IS NOT DISTINCT FROM b.year AND d.series_code = b.series_code
 AND d.comparable_group = b.comparable_group AND d.breakdown = b.breakdown
ORDER BY b.year, b.series_code, b.comparable_group, b.breakdown
