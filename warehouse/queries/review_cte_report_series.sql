-- report_series with the corrections applied, and `corrected`, `original_value` (`review_base_report_series`
-- and `$hide_ocr`: see review_cte_facts.sql).
SELECT h.*, FALSE AS corrected, h.value AS original_value
FROM review_base_report_series AS h
WHERE h.report_id NOT IN (SELECT report_id FROM review_overlay)
UNION ALL
SELECT report_id, series_code, breakdown, comparable_group, value,
       value IS DISTINCT FROM original_value AS corrected, original_value
FROM review_corrected_series
WHERE NOT ($hide_ocr AND ocr_unconfirmed)
