-- Every stored value with its report's identity and provenance; `value` with any correction applied
-- (`facts_long` is corrected by warehouse/review/overlay.py), the value as read in `original_value`.
SELECT agency, year, template, province, city, county, metric_code, metric_label_zh, metric_label_en, unit,
       breakdown, value, value_raw, semantic, confidence, source_file, table_no, row_label, column_label,
       page, locator, report_id, is_current, corrected, original_value
FROM facts_long
ORDER BY agency NULLS LAST, year NULLS LAST, source_file, metric_code, breakdown, report_id
