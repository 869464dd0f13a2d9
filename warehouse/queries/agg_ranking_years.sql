-- dash_ranking_years over `agg_ranking`. Composed as `WITH selected AS (the filtered agg_ranking rows
-- of the series) <this file>`.
SELECT DISTINCT year FROM selected WHERE year IS NOT NULL ORDER BY year DESC
