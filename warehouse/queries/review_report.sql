-- One report's identity, as a review status records it.
SELECT report_id, agency_id, agency, year, place_code, source_file, is_current
FROM reports
WHERE report_id = $report_id
