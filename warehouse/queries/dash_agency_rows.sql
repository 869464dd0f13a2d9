-- Every current report of one agency id with dash_reports' columns, in its order, and `_selected`: whether
-- the page's filter selects the report. Composed as `WITH [the agency's bucket,] agency_rows AS (the agency
-- id's current reports with `_selected`) <this file>` (warehouse/dashboard_queries.py `agency_rows`): the
-- agencies page takes its reports table (the selected rows: dash_reports), the comparison's years
-- (compare_years) and its two reports (compare_reports) from this one read of the agency's bucket.
SELECT s.report_id, s.agency_id, s.agency, s.year, s.template, s.format, s.province, s.city, s.county,
       s.agency_kind, s.agency_level, s.scope, s.checks_failed, s.n_warnings, s.found_cells,
       s.expected_cells, s.source_file, s.title,
       coalesce(rv.status, 'pending') AS review_status, rv.comment AS review_comment,
       rv.user AS reviewed_by, rv.at AS reviewed_at, s._selected, coalesce(s.province_code, 'none') AS _province
FROM agency_rows AS s
LEFT JOIN review_status AS rv ON rv.report_id = s.report_id
ORDER BY s.year DESC NULLS LAST, s.agency
