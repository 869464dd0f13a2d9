-- Every version of every report of one agency, newest year first, current version first.
SELECT report_id, year, template, format, source_file, is_current
FROM reports
WHERE agency_id = $agency_id
ORDER BY year DESC NULLS LAST, is_current DESC, source_file
