-- The stored cells of some reports, exactly as loaded (DECIMAL values, printed text, meaning, confidence).
SELECT f.report_id, f.metric_code, f.breakdown, f.value, f.value_raw, f.semantic, f.confidence
FROM facts AS f
JOIN (SELECT unnest($reports) AS report_id) AS chosen USING (report_id)
ORDER BY f.report_id, f.metric_code, f.breakdown
