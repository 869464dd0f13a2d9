-- findings_checks over the failed checks kept per province (warehouse/store/rollups.py `agg_failed`, the
-- current reports' only, which the findings' units are), with `printed`: the facts the cells name
-- (findings_cells). $within chooses the place's provinces' files; the place and year keep the scan to
-- the county's rows (the files are sorted by place within each severity).
SELECT c.report_id, c.check_id, c.severity, c.breakdown,
       coalesce(nullif(c.message_zh, ''), c.message) AS detail, coalesce(c.cells, '') AS cells, c.printed
FROM (SELECT * FROM agg_failed$within) AS c
WHERE c.report_id IN ($report_list)
  AND c.year = $year
  AND $place IN (c.province_code, c.city_code, c.county_code)
ORDER BY c.report_id, c.check_id, c.breakdown
