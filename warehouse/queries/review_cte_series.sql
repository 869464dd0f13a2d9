-- The `series` view of schema.sql over the corrected report_series, with `corrected` and
-- `original_value` (tests/test_review_overlay.py checks it equals the view when nothing is corrected).
WITH summed AS (
    SELECT r.report_id, r.agency_id, r.agency, r.year, r.template, r.place_code, r.is_vertical, r.scope,
           h.series_code, h.breakdown, h.comparable_group, h.value, h.corrected, h.original_value
    FROM report_series AS h
    JOIN main.reports AS r ON r.report_id = h.report_id
    WHERE r.is_current
), rates AS (
    SELECT report_id, agency_id, agency, year, template, place_code, is_vertical, scope,
           series_code || '.correction_rate' AS series_code, '' AS breakdown, comparable_group,
           CAST(max(value) FILTER (breakdown = 'corrected')
                / nullif(max(value) FILTER (breakdown = 'total')
                         - coalesce(max(value) FILTER (breakdown = 'pending'), 0), 0) AS DECIMAL(38, 6)) AS value,
           bool_or(corrected) AS corrected,
           CAST(max(original_value) FILTER (breakdown = 'corrected')
                / nullif(max(original_value) FILTER (breakdown = 'total')
                         - coalesce(max(original_value) FILTER (breakdown = 'pending'), 0), 0)
                AS DECIMAL(38, 6)) AS original_value
    FROM summed
    WHERE series_code IN ('reconsideration', 'litigation')
    GROUP BY report_id, agency_id, agency, year, template, place_code, is_vertical, scope, series_code,
             comparable_group
)
SELECT report_id, agency_id, agency AS agency_name, year, template, series_code, breakdown, value,
       comparable_group, scope, place_code, is_vertical, corrected, original_value
FROM (SELECT * FROM summed UNION ALL SELECT * FROM rates)
