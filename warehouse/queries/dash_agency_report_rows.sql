-- Every version of every report of one agency with `dash_report`'s columns, in `dash_agency_reports`'
-- order: the report page's list, the chosen report's row and its other versions (dash_report_versions)
-- from one read of the agency's bucket (warehouse/dashboard_queries.py `agency_report_rows`).
SELECT * EXCLUDE (ingested_at), strftime(ingested_at, '%Y-%m-%d %H:%M:%S') AS ingested_at
FROM reports
WHERE agency_id = $agency_id
ORDER BY year DESC NULLS LAST, is_current DESC, source_file
