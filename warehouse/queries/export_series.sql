-- Harmonised series of current reports (docs/series.md); compare rows only within one comparable_group.
-- `series` is read with corrections applied (warehouse/review/overlay.py): `value` is corrected.
SELECT s.agency_id, s.agency_name, r.province, r.city, r.county, s.place_code, s.year, s.template,
       s.series_code, s.breakdown, s.value, s.comparable_group, s.scope, s.is_vertical, s.report_id,
       s.corrected, s.original_value
FROM series AS s
JOIN reports AS r USING (report_id)
ORDER BY s.agency_id, s.year, s.series_code, s.breakdown, s.comparable_group
