-- One page of the selected reports with their review status, in dash_reports' order (newest first, then
-- by agency; the report id keeps pages apart where those tie).
SELECT s.agency, s.year, coalesce(rv.status, 'pending') AS review_status, rv.user AS reviewed_by,
       rv.at AS reviewed_at, rv.comment AS review_comment, s.checks_failed, s.source_file, s.report_id
FROM selected AS s
LEFT JOIN review_status AS rv ON rv.report_id = s.report_id
ORDER BY s.year DESC NULLS LAST, s.agency, s.report_id
LIMIT $limit OFFSET $offset
