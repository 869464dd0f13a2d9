-- One row per loaded report version.
SELECT report_id, source_file, agency, year, template, title, province, city, county, province_code,
       city_code, county_code, place_code, place_status, place_note, agency_id, agency_level, agency_kind,
       is_vertical,
       scope, scope_evidence, publisher, published, url, format, encoding, file_size, expected_cells,
       found_cells, n_warnings, checks_failed, is_current, agency_source, year_source, ingested_at
FROM reports
ORDER BY agency NULLS LAST, year NULLS LAST, source_file, report_id
