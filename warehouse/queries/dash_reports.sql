-- The selected reports, newest first, with their review status (pending when never reviewed).
SELECT s.report_id, s.agency_id, s.agency, s.year, s.template, s.format, s.province, s.city, s.county,
       s.agency_kind, s.agency_level, s.scope, s.checks_failed, s.n_warnings, s.found_cells,
       s.expected_cells, s.source_file, s.title,
       coalesce(rv.status, 'pending') AS review_status, rv.comment AS review_comment,
       rv.user AS reviewed_by, rv.at AS reviewed_at
FROM selected AS s
LEFT JOIN review_status AS rv ON rv.report_id = s.report_id
ORDER BY s.year DESC NULLS LAST, s.agency
