-- The page-image crop of every value of one report read by OCR, doubtful ones first.
SELECT o.metric_code, m.label_zh, m.label_en, o.breakdown, f.value_raw, o.page, o.score, o.confirmed,
       o.doubt, o.crop_png
FROM ocr_cells AS o
JOIN facts AS f ON f.report_id = o.report_id AND f.metric_code = o.metric_code AND f.breakdown = o.breakdown
LEFT JOIN metrics AS m ON m.code = o.metric_code
WHERE o.report_id = $report_id
ORDER BY o.doubt = '', o.confirmed, o.page, o.top, o.x0
