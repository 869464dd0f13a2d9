-- The stored cells of some reports, exactly as loaded (DECIMAL values, printed text, meaning, confidence).
SELECT f.report_id, f.metric_code, f.breakdown, f.value, f.value_raw, f.semantic, f.confidence
FROM facts AS f
WHERE list_contains($reports, f.report_id)
ORDER BY f.report_id, f.metric_code, f.breakdown
