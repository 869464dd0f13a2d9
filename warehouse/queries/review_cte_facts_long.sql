-- facts_long with the corrections applied, and `corrected`, `original_value`.
SELECT l.* REPLACE (
           CASE WHEN o.report_id IS NULL THEN l.value ELSE o.value END AS value,
           CASE WHEN o.report_id IS NULL THEN l.semantic ELSE o.semantic END AS semantic),
       o.report_id IS NOT NULL AS corrected,
       l.value AS original_value
FROM main.facts_long AS l
LEFT JOIN review_overlay AS o
  ON o.report_id = l.report_id AND o.metric_code = l.metric_code AND o.breakdown = l.breakdown
