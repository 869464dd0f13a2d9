-- facts with the corrections applied: `value` and `semantic` are the corrected ones, `original_value`
-- the value as read, `corrected` whether a correction applies. `review_base_facts` is the table, or its
-- stand-in without unconfirmed OCR values when the view hides those (warehouse/filters.py).
SELECT f.* REPLACE (
           CASE WHEN o.report_id IS NULL THEN f.value ELSE o.value END AS value,
           CASE WHEN o.report_id IS NULL THEN f.semantic ELSE o.semantic END AS semantic),
       o.report_id IS NOT NULL AS corrected,
       f.value AS original_value,
       o.correction_id
FROM review_base_facts AS f
LEFT JOIN review_overlay AS o
  ON o.report_id = f.report_id AND o.metric_code = f.metric_code AND o.breakdown = f.breakdown
