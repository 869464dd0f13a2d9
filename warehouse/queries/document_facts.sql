-- The stored cells of some reports (their ids written in for $report_list by documents/reads.py), exactly
-- as loaded (DECIMAL values, printed text, meaning, confidence).
SELECT f.report_id, f.metric_code, f.breakdown, f.value, f.value_raw, f.semantic, f.confidence
FROM facts AS f
WHERE f.report_id IN ($report_list)
ORDER BY f.report_id, f.metric_code, f.breakdown
