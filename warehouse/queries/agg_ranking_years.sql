-- dash_ranking_years over the series cube (warehouse/store/rollups.py): the years in which a selected report
-- has a total row of the series, as `agg_ranking` (one row per current report with such rows) has them.
-- Composed as `WITH cube AS (the series cube's rows at the filter's grain) <this file>`: a few hundred
-- province rows of one series, where `agg_ranking` decoded every row of the series.
SELECT DISTINCT year
FROM cube
WHERE series_code = $series AND breakdown IN ('', 'total') AND year IS NOT NULL
ORDER BY year DESC
