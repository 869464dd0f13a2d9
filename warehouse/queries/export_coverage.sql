-- Which agency published for which year: published | several_versions | missing, with the current version.
SELECT c.agency_id, c.agency_name, a.province, a.city, a.county, c.place_code, a.agency_level, a.agency_kind,
       a.is_vertical, c.year, c.status, c.n_versions, c.within_span, r.source_file AS current_file,
       c.current_report_id
FROM coverage AS c
JOIN agencies AS a USING (agency_id)
LEFT JOIN reports AS r ON r.report_id = c.current_report_id
ORDER BY a.province NULLS LAST, a.city NULLS LAST, a.county NULLS LAST, c.agency_id, c.year
