-- The selected reports, newest first.
SELECT report_id, agency_id, agency, year, template, format, province, city, county, agency_kind,
       agency_level, scope, checks_failed, n_warnings, found_cells, expected_cells, source_file, title
FROM selected
ORDER BY year DESC NULLS LAST, agency
