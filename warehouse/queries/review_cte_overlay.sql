-- The corrections that apply: active ones whose report is in this version and whose value the report
-- still reads as it did when the correction was made (otherwise the correction needs review and the
-- value as read stands). One row per corrected fact, with the value before and after. Computed once per
-- warehouse version and review revision (warehouse/review/overlay.py) and registered as `review_overlay`;
-- `$corrected_reports` is the list of corrected reports written out (so a scan of parts sorted by report
-- id skips the rest), and only their facts are read. `confidence` and
-- `ocr_confirmed` let an aggregate that hides unconfirmed OCR values leave their corrections out too.
SELECT c.report_id, c.metric_code, c.breakdown, c.id AS correction_id, c.kind,
       CAST(c.value AS DECIMAL(38, 6)) AS value,
       CASE WHEN CAST(c.value AS DECIMAL(38, 6)) = 0 THEN 'zero' ELSE 'number' END AS semantic,
       f.value AS original_value, f.semantic AS original_semantic,
       f.confidence, coalesce(oc.confirmed, FALSE) AS ocr_confirmed
FROM review_corrections AS c
JOIN main.facts AS f
  ON f.report_id = c.report_id AND f.metric_code = c.metric_code AND f.breakdown = c.breakdown
LEFT JOIN main.ocr_cells AS oc
  ON oc.report_id = f.report_id AND oc.metric_code = f.metric_code AND oc.breakdown = f.breakdown
WHERE f.report_id IN ($corrected_reports)
  AND f.value IS NOT DISTINCT FROM CAST(c.original_value AS DECIMAL(38, 6))
