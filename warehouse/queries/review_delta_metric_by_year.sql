-- dash_metric_by_year (as `base`) with the corrections applied as a delta: the aggregate plus
-- Σ(corrected − original) of the corrected facts of the selected reports. The same delta applies to a
-- pre-aggregated table in place of `base`: only the few corrected facts are read.
-- Composed as `WITH <corrected relations>, selected AS (…), base AS (<dash query>), <this file>`.
delta AS (
    SELECT s.year, s.template, o.metric_code, o.breakdown,
           sum(coalesce(o.value, 0) - coalesce(o.original_value, 0)) AS d_value,
           sum(CAST(o.value IS NOT NULL AS INTEGER) - CAST(o.original_value IS NOT NULL AS INTEGER)) AS d_with,
           sum(CAST(o.semantic = 'blank' AS INTEGER) - CAST(o.original_semantic = 'blank' AS INTEGER)) AS d_blank,
           count(*) AS corrected_values
    FROM review_overlay AS o
    JOIN selected AS s ON s.report_id = o.report_id
    WHERE list_contains($codes, o.metric_code) AND list_contains($breakdowns, o.breakdown)
      AND NOT ($hide_ocr AND o.confidence = 'ocr' AND NOT o.ocr_confirmed)
    GROUP BY ALL
)
SELECT b.year, b.template, b.metric_code, b.breakdown,
       CASE WHEN d.metric_code IS NULL THEN b.value
            WHEN b.reports_with_value + d.d_with > 0 THEN coalesce(b.value, 0) + d.d_value END AS value,
       b.reports_with_value + coalesce(d.d_with, 0) AS reports_with_value,
       b.reports_blank + coalesce(d.d_blank, 0) AS reports_blank,
       b.reports,
       coalesce(d.corrected_values, 0) AS corrected_values,
       b.value AS original_value
FROM base AS b
LEFT JOIN delta AS d
  ON d.year IS NOT DISTINCT FROM b.year AND d.template = b.template AND d.metric_code = b.metric_code
 AND d.breakdown = b.breakdown
ORDER BY b.year, b.metric_code, b.breakdown, b.template
