-- dash_series_gaps over `agg_gaps` (the cells without a value behind the ranked series of each current
-- report, with the report's columns; warehouse/store/rollups.py): the same rows. Composed as
-- `WITH gaps AS (the agg_gaps rows of the selected reports) <this file>`.
SELECT g.report_id, g.year, g.series_code, g.breakdown, g.semantic, g.value_raw
FROM gaps AS g
WHERE list_contains($series, g.series_code)
-- A total order (the page takes the first printed text of a kind), whichever files the rows come from.
ORDER BY g.year, g.series_code, g.report_id, g.breakdown, g.semantic, g.value_raw
