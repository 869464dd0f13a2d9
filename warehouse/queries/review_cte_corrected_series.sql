-- The harmonised series of the reports that have corrections, summed again from their corrected facts
-- (as warehouse/series.py sums every report's facts), beside the series as stored. Computed once per
-- version and review revision and registered as `review_corrected_series`; `ocr_unconfirmed` marks a
-- series that holds an OCR value no identity confirms (hidden when the view hides those).
WITH corrected AS (
    SELECT f.report_id, f.metric_code, f.breakdown,
           CASE WHEN o.report_id IS NULL THEN f.value ELSE o.value END AS value,
           f.confidence = 'ocr' AND NOT coalesce(oc.confirmed, FALSE) AS ocr_unconfirmed
    FROM main.facts AS f
    LEFT JOIN review_overlay AS o
      ON o.report_id = f.report_id AND o.metric_code = f.metric_code AND o.breakdown = f.breakdown
    LEFT JOIN main.ocr_cells AS oc
      ON oc.report_id = f.report_id AND oc.metric_code = f.metric_code AND oc.breakdown = f.breakdown
    WHERE f.report_id IN ($corrected_reports)
), summed AS (
    SELECT f.report_id, m.series_code, m.breakdown, m.comparable_group, sum(f.value) AS value,
           bool_or(f.ocr_unconfirmed) AS ocr_unconfirmed
    FROM corrected AS f
    JOIN main.reports AS r ON r.report_id = f.report_id
    JOIN main.series_map AS m
      ON m.template = r.template AND m.metric_code = f.metric_code AND m.metric_breakdown = f.breakdown
    GROUP BY ALL
)
SELECT s.report_id, s.series_code, s.breakdown, s.comparable_group, s.value, h.value AS original_value,
       s.ocr_unconfirmed
FROM summed AS s
LEFT JOIN main.report_series AS h
  ON h.report_id = s.report_id AND h.series_code = s.series_code AND h.breakdown = s.breakdown
 AND h.comparable_group = s.comparable_group
