-- Every version of the same agency and year as the given report.
SELECT r.report_id, r.source_file, r.published, r.is_current, r.checks_failed,
       strftime(r.ingested_at, '%Y-%m-%d %H:%M:%S') AS ingested_at
FROM reports AS r
JOIN reports AS this ON this.report_id = $report_id
WHERE r.agency_id = this.agency_id AND r.year = this.year
ORDER BY r.is_current DESC, r.published DESC NULLS LAST
