-- One extracted value of one report (any version) with the report's identity, as a correction records it.
SELECT f.value, f.value_raw, f.semantic, r.agency_id, r.agency, r.year, r.place_code, r.source_file,
       r.is_current
FROM facts AS f
JOIN reports AS r USING (report_id)
WHERE f.report_id = $report_id AND f.metric_code = $metric_code AND f.breakdown = $breakdown
