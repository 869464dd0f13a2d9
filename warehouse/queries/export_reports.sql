-- One row per loaded report version.
SELECT report_id, source_file, agency, year, template, title, province, city, county, publisher, published,
       url, format, encoding, file_size, expected_cells, found_cells, n_warnings, checks_failed, is_current,
       agency_source, year_source, ingested_at
FROM reports
ORDER BY agency NULLS LAST, year NULLS LAST, source_file
