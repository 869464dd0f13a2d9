-- One report's metadata (any version, current or not).
SELECT * EXCLUDE (ingested_at), strftime(ingested_at, '%Y-%m-%d %H:%M:%S') AS ingested_at
FROM reports WHERE report_id = $report_id
