-- Every value of one report with where it was read; `value` with any correction applied (the value as
-- read is `original_value`; `facts` is corrected by warehouse/review/overlay.py); values read by OCR add
-- their score, whether an identity confirms them and why they are in doubt.
SELECT f.metric_code, m.label_zh, m.label_en, f.breakdown, f.value, f.value_raw, f.semantic, f.confidence,
       m.unit, f.table_no, f.row_label, f.column_label, f.page, f.locator, f.corrected, f.original_value,
       f.correction_id, o.score AS ocr_score, o.confirmed AS ocr_confirmed, o.doubt AS ocr_doubt
FROM facts AS f
LEFT JOIN metrics AS m ON m.code = f.metric_code
LEFT JOIN ocr_cells AS o
    ON o.report_id = f.report_id AND o.metric_code = f.metric_code AND o.breakdown = f.breakdown
WHERE f.report_id = $report_id
ORDER BY f.table_no NULLS LAST, f.metric_code, f.breakdown
