-- What an import's files became: each report with its agency, year, whether it is the current version
-- and the other versions of the same agency and year.
SELECT r.report_id, r.agency, r.year, r.template, r.is_current,
       (SELECT count(*) FROM reports AS o
        WHERE o.agency_id = r.agency_id AND o.year = r.year AND o.report_id <> r.report_id) AS other_versions
FROM reports AS r
WHERE list_contains($report_ids, r.report_id)
